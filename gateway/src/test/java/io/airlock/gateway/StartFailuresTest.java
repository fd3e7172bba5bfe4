package io.airlock.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that cannot start says why in one line that names what to fix, and exits with a code a
 * supervisor can tell apart: no stack trace for an operator (or a newcomer running the demo) to
 * read at 3 a.m. Runs the shipped demo config through {@code Main}, as {@code ./airlock demo} does.
 */
class StartFailuresTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void a_port_held_by_another_process_is_named_and_the_demo_exits_1() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket free = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int controlPort = free.getLocalPort();
      free.close();
      Path config = demoConfig(yaml -> yaml
          .replace("port: 8080", "port: " + held.getLocalPort())
          .replace("port: 8081", "port: " + controlPort)
          .replace("127.0.0.1:8081", "127.0.0.1:" + controlPort));

      int code = Main.run(List.of("demo", "--config", config.toString()), print(out), print(err));

      assertThat(code).isEqualTo(1);
      assertThat(text(err)).isEqualTo("airlock demo: cannot listen (Address already in use) on dataPlane 127.0.0.1:"
          + held.getLocalPort() + " or controlPlane 127.0.0.1:" + controlPort + " of airlock.yaml: another process"
          + " holds the port, or the address is not this machine's\n");
      assertThat(text(out)).as("no demo banner for a demo that is not running").doesNotContain("Airlock demo is running");
    }
  }

  @Test
  void a_key_directory_that_cannot_be_created_is_named_and_the_demo_exits_78() throws Exception {
    // a file where the directory should be: refused even for root, which ignores permissions
    Files.writeString(dir.resolve("not-a-directory"), "");
    Path config = demoConfig(yaml -> yaml
        .replace("port: 8080", "port: 0").replace("port: 8081", "port: 0")
        .replace("generateMissingKeysIn: ../../var/keys", "generateMissingKeysIn: " + dir.resolve("not-a-directory/keys")));

    int code = Main.run(List.of("demo", "--config", config.toString()), print(out), print(err));

    assertThat(code).isEqualTo(78);
    assertThat(text(err))
        .startsWith("airlock demo: grant key file " + dir.resolve("not-a-directory/keys/demo-2026-11.jwk.json"))
        .contains("cannot be written")
        .doesNotContain("\tat ", "Exception in thread");
    assertThat(text(err).lines()).hasSize(1);
  }

  /** The shipped demo config, the backend on a free port, keys and audit under the test's dir. */
  private Path demoConfig(UnaryOperator<String> edit) throws Exception {
    int backendPort;
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      backendPort = s.getLocalPort();
    }
    Path config = Files.createDirectories(dir.resolve("config"));
    try (Stream<Path> files = Files.list(Path.of("..", "config", "demo"))) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".yaml"))::iterator) {
        String yaml = Files.readString(f)
            .replace("127.0.0.1:9090", "127.0.0.1:" + backendPort)
            .replace("../../var/audit", dir.resolve("audit").toString());
        yaml = edit.apply(yaml).replace("../../var/keys", dir.resolve("keys").toString());
        Files.writeString(config.resolve(f.getFileName()), yaml);
      }
    }
    return config;
  }

  private static PrintStream print(ByteArrayOutputStream to) {
    return new PrintStream(to, true, StandardCharsets.UTF_8);
  }

  private static String text(ByteArrayOutputStream from) {
    return from.toString(StandardCharsets.UTF_8);
  }
}
