package io.airlock.gateway.image;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.policy.config.AirlockConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image {@code ./mvnw -Pimage package} writes (failsafe runs this after Jib): its config
 * is what operators and deploy/ rely on, it carries no shell, and the gateway really runs in it.
 *
 * <p>Reading the tar uses the system's {@code tar} (layers are plain gzip'd tars, no parser of
 * ours); running it uses {@code unshare} into the extracted root filesystem, which is what a
 * container runtime does minus cgroups: the entrypoint from the image config, a fresh PID and
 * mount namespace with procfs, and nothing from the host's filesystem.
 */
class ImageIT {
  private static final Path TAR = Path.of("target", "airlock-image.tar");
  private static final Path REPO = Path.of("..");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What the output pump queues when the process closed its output: fail at once, not at the deadline. */
  private static final String END_OF_OUTPUT = "\u0000end of output";

  private static Path layout;
  private static JsonNode config;
  private static List<Path> layers;

  @BeforeAll
  static void readImage(@TempDir Path tmp) throws Exception {
    assertThat(TAR).as("the image tar (built by -Pimage in the package phase)").exists();
    layout = tmp.resolve("layout");
    Files.createDirectories(layout);
    run(List.of("tar", "-xf", TAR.toAbsolutePath().toString(), "-C", layout.toString()), Duration.ofSeconds(60));
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    assertThat(index.path("manifests")).as("one image in the tar").hasSize(1);
    JsonNode manifest = JSON.readTree(blob(index.path("manifests").get(0)).toFile());
    config = JSON.readTree(blob(manifest.path("config")).toFile()).path("config");
    layers = new ArrayList<>();
    manifest.path("layers").forEach(l -> layers.add(blob(l)));
  }

  @Test
  void runs_as_the_non_root_user_the_kubernetes_example_runs_the_pod_as() throws Exception {
    assertThat(config.path("User").asText()).isEqualTo("10001:10001");
    JsonNode pod = deployment().at("/spec/template/spec/securityContext");
    assertThat(pod.path("runAsUser").asInt() + ":" + pod.path("runAsGroup").asInt())
        .isEqualTo(config.path("User").asText());
  }

  @Test
  void starts_serve_on_etc_airlock_and_exposes_the_default_ports() throws Exception {
    List<String> entrypoint = texts(config.path("Entrypoint"));
    assertThat(entrypoint.get(0)).isEqualTo("/opt/java/bin/java");
    assertThat(entrypoint.subList(entrypoint.size() - 3, entrypoint.size()))
        .containsExactly("-cp", "@/app/jib-classpath-file", "io.airlock.gateway.Main");
    assertThat(texts(config.path("Cmd"))).containsExactly("serve", "--config", "/etc/airlock");

    AirlockConfig defaults = ConfigLoader.load(REPO.resolve("config"));
    Set<String> ports = new HashSet<>();
    config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
    assertThat(ports)
        .containsExactlyInAnyOrder(
            defaults.dataPlane().port() + "/tcp", defaults.controlPlane().port() + "/tcp");
  }

  @Test
  void declares_as_volumes_the_only_places_a_node_writes() throws Exception {
    Set<String> volumes = new HashSet<>();
    config.path("Volumes").fieldNames().forEachRemaining(volumes::add);
    assertThat(volumes).containsExactlyInAnyOrder("/var/lib/airlock/audit", "/tmp");

    // the Kubernetes example's audit.dir is one of them, so a read-only root filesystem works
    JsonNode configMap = manifest("ConfigMap");
    JsonNode airlockYaml = new YAMLMapper().readTree(configMap.at("/data/airlock.yaml").asText());
    assertThat(volumes).contains(airlockYaml.at("/audit/dir").asText());
  }

  @Test
  void carries_the_runtime_and_the_gateway_but_no_shell() throws Exception {
    Map<String, String> files = files();
    assertThat(files).containsKeys("app/jib-classpath-file");
    assertThat(files.get("opt/java/bin/java")).startsWith("-rwxr-xr-x 0/0");
    assertThat(files.keySet()).anySatisfy(f -> assertThat(f).startsWith("app/libs/nimbus-jose-jwt-"));
    assertThat(files.keySet())
        .as("no shell, no busybox, no package manager: nothing for an intruder to run")
        .noneSatisfy(f -> assertThat(f).containsPattern("^(usr/)?s?bin/|/(sh|bash|dash|busybox|apt|dpkg)$"));
  }

  @Test
  void the_node_owns_its_audit_directory_and_tmp_is_sticky() throws Exception {
    Map<String, String> files = files();
    assertThat(files.get("var/lib/airlock/audit/")).as("writable by the image's user alone")
        .startsWith("drwx------ 10001/10001");
    assertThat(files.get("var/lib/airlock/")).startsWith("drwx------ 10001/10001");
    assertThat(files.get("tmp/")).startsWith("drwxrwxrwt 0/0");
    assertThat(files.get("etc/passwd")).startsWith("-rw-r--r-- 0/0");
    assertThat(files)
        .as("nothing else is writable by anyone but root, whatever umask the build ran under")
        .allSatisfy((path, line) -> {
          if (!path.equals("tmp/") && !path.startsWith("var/lib/airlock/")) {
            assertThat(line).matches("[-dl].{4}[^w].{2}[^w].* 0/0|l.*");
          }
        });
  }

  /** Every path in the image (without a leading ./) → the start of its `tar -tv` line. */
  private static Map<String, String> files() throws Exception {
    Map<String, String> files = new HashMap<>();
    for (Path layer : layers) {
      for (String line : run(List.of("tar", "--numeric-owner", "-tzvf", layer.toString()), Duration.ofSeconds(60))) {
        if (line.startsWith("tar: ")) {
          continue; // GNU tar's note on the pax headers Jib writes, not a file
        }
        String[] f = line.trim().split("\\s+", 6);
        files.put(f[5].startsWith("./") ? f[5].substring(2) : f[5], f[0] + " " + f[1]);
      }
    }
    return files;
  }

  /**
   * The demo (gateway, demo backend, a signed grant, a masked read, the audit log in sync mode)
   * inside the image's own filesystem, started by the image's entrypoint, stopped by SIGTERM.
   */
  @Test
  void the_demo_runs_inside_the_image_and_stops_cleanly_on_sigterm(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("rootfs");
    Files.createDirectories(root);
    for (Path layer : layers) {
      run(List.of("tar", "-xzpf", layer.toString(), "-C", root.toString()), Duration.ofSeconds(60));
    }
    Path demoConfig = root.resolve("etc/airlock-demo");
    Files.createDirectories(demoConfig);
    int data = freePort(), control = freePort(), backend = freePort();
    try (var files = Files.list(REPO.resolve("config/demo"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String yaml =
            Files.readString(f)
                .replace(":8080", ":" + data).replace("port: 8080", "port: " + data)
                .replace(":8081", ":" + control).replace("port: 8081", "port: " + control)
                .replace(":9090", ":" + backend)
                // keys and audit log under the node's home, the one place its user may write
                .replace("../../var/", "/var/lib/airlock/");
        Files.writeString(demoConfig.resolve(f.getFileName()), yaml);
      }
    }

    List<String> cmd = new ArrayList<>();
    // as a container runtime does: fresh PID and mount namespaces, procfs, a /dev with the usual
    // nodes (ACCP will not start without /dev/urandom), then the image's user in the image's root
    // (chroot --userspec drops to it before running the entrypoint)
    String runtime = "root=\"$0\"; user=\"$1\"; shift; mkdir -p \"$root/dev\""
        + " && mount -t proc proc \"$root/proc\" && mount -t tmpfs -o mode=755 dev \"$root/dev\""
        + " && for n in null zero full random urandom; do : > \"$root/dev/$n\" && mount --bind \"/dev/$n\" \"$root/dev/$n\""
        + " || exit 1; done && exec chroot ${user:+--userspec=\"$user\"} \"$root\" \"$@\"";
    if (isRoot()) {
      cmd.addAll(List.of("unshare", "--mount", "--pid", "--fork", "sh", "-c", runtime,
          root.toString(), config.path("User").asText()));
    } else {
      // without root, a user namespace maps us to root inside: the user is not the image's
      cmd.addAll(List.of("unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "sh", "-c", runtime,
          root.toString(), ""));
    }
    cmd.addAll(texts(config.path("Entrypoint")));
    cmd.addAll(List.of("demo", "--config", "/etc/airlock-demo"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // the image's environment, not this JVM's (a JAVA_TOOL_OPTIONS here must not help it start)
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String kv : texts(config.path("Env"))) {
      pb.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    Process unshare = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> pump(unshare, lines), "image-demo-output");
    reader.setDaemon(true);
    reader.start();
    List<String> seen = new ArrayList<>();
    try {
      String status = awaitLine(lines, seen, "What it returns (HTTP ", Duration.ofSeconds(90));
      assertThat(status).as("the demo's own read through the data plane").contains("HTTP 200");
      // ACCP's native library needs system libraries the JDK does not (libdl.so.2); without them
      // the node still runs, on SunEC, with uncached grant checks about 20 times slower
      assertThat(seen).as("ECDSA on ACCP inside the image, not the SunEC fallback")
          .anyMatch(l -> l.contains("ECDSA: using Amazon Corretto Crypto Provider"));
      String body = awaitLine(lines, seen, "{", Duration.ofSeconds(10));
      JsonNode record = JSON.readTree(body);
      assertThat(record.path("id").asText()).isEqualTo("c-0001");
      assertThat(record.path("email").asText()).as("masked in the image as outside it").contains("*");

      ProcessHandle java =
          unshare.toHandle().children().findFirst().orElseThrow(() -> new AssertionError("no child of unshare"));
      assertThat(java.destroy()).as("SIGTERM sent to the JVM (PID 1 in its namespace)").isTrue();
      assertThat(unshare.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM").isTrue();
      assertThat(unshare.exitValue()).as("graceful stop exits 0; output:%n%s", String.join("\n", seen)).isZero();
    } finally {
      unshare.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      unshare.destroyForcibly();
    }
    List<Path> auditFiles;
    try (var audit = Files.list(root.resolve("var/lib/airlock/audit"))) {
      auditFiles = audit.toList();
    }
    assertThat(auditFiles).as("the demo's audit log, written inside the image").isNotEmpty();
    if (isRoot()) {
      assertThat(Files.getAttribute(auditFiles.get(0), "unix:uid"))
          .as("written by the image's user, not root").isEqualTo(10001);
    }
  }

  private static String awaitLine(BlockingQueue<String> lines, List<String> seen, String prefix, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      String line = lines.poll(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS);
      if (line == null || line.equals(END_OF_OUTPUT)) {
        break;
      }
      seen.add(line);
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new AssertionError("no line starting with '" + prefix + "' (within " + timeout
        + ", or before the process ended); output:\n" + String.join("\n", seen));
  }

  private static void pump(Process p, BlockingQueue<String> lines) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    } catch (IOException ignored) {
      // the process went away: awaitLine reports what it printed
    } finally {
      lines.add(END_OF_OUTPUT);
    }
  }

  private static Path blob(JsonNode descriptor) {
    String[] digest = descriptor.path("digest").asText().split(":", 2);
    return layout.resolve("blobs").resolve(digest[0]).resolve(digest[1]);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode deployment() throws IOException {
    return manifest("Deployment");
  }

  private static JsonNode manifest(String kind) throws IOException {
    try (var docs =
        new YAMLMapper().readerFor(ObjectNode.class)
            .<ObjectNode>readValues(REPO.resolve("deploy/kubernetes/airlock.yaml").toFile())) {
      while (docs.hasNext()) {
        JsonNode d = docs.next();
        if (kind.equals(d.path("kind").asText())) {
          return d;
        }
      }
    }
    throw new AssertionError("deploy/kubernetes/airlock.yaml has no " + kind);
  }

  /** Runs a command to completion; its output lines, or an assertion error carrying them. */
  private static List<String> run(List<String> cmd, Duration timeout) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> out;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
      out = r.lines().toList();
    }
    assertThat(p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("%s finished", cmd).isTrue();
    assertThat(p.exitValue()).as("%s: %s", cmd, String.join("\n", out)).isZero();
    return out;
  }

  private static boolean isRoot() throws Exception {
    return run(List.of("id", "-u"), Duration.ofSeconds(10)).get(0).trim().equals("0");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
