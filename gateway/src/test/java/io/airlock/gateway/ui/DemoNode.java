package io.airlock.gateway.ui;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.gateway.demo.DemoBackend;
import io.airlock.gateway.demo.DemoData;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;

/**
 * What {@code ./airlock demo} runs, in-process: the demo backend (seed 42, as the demo) and a
 * node loaded from {@code config/demo/} by the real config loader, with only its ports, the
 * backend address, the key and audit directories and the UI origin moved so tests never collide
 * with a running demo or each other.
 */
final class DemoNode implements AutoCloseable {
  static final long SEED = 42L;

  final DemoData data = DemoData.generate(SEED);
  final AirlockNode node;
  final String ui;
  final String dataPlane;
  private final Vertx backendVertx;

  private DemoNode(AirlockNode node, Vertx backendVertx) {
    this.node = node;
    this.backendVertx = backendVertx;
    this.ui = "http://127.0.0.1:" + node.controlPlanePort() + "/";
    this.dataPlane = "http://127.0.0.1:" + node.dataPlanePort();
  }

  static DemoNode start(Path dir) throws Exception {
    Vertx backendVertx = Vertx.vertx();
    try {
      HttpServer backend = await(DemoBackend.start(backendVertx, "127.0.0.1", 0, DemoData.generate(SEED)));
      // the UI's origin must be known before start: CORS on the data plane names it exactly
      int controlPort = freePort();
      int dataPort = freePort();
      Path config = Files.createDirectories(dir.resolve("config"));
      Path demo = projectRoot().resolve("config/demo");
      try (Stream<Path> files = Files.list(demo)) {
        for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".yaml"))::iterator) {
          String yaml = Files.readString(f)
              .replace("http://127.0.0.1:9090", "http://127.0.0.1:" + backend.actualPort())
              .replace("port: 8080", "port: " + dataPort)
              .replace("port: 8081", "port: " + controlPort)
              .replace("127.0.0.1:8081", "127.0.0.1:" + controlPort)
              .replace("../../var/keys", dir.resolve("keys").toString())
              .replace("../../var/audit", dir.resolve("audit").toString());
          if (f.getFileName().toString().equals("airlock.yaml") && !yaml.contains("corsOrigins")) {
            yaml = yaml.replace("  port: " + dataPort + "\n", "  port: " + dataPort + "\n  corsOrigins: [\"http://127.0.0.1:" + controlPort + "\"]\n");
          }
          Files.writeString(config.resolve(f.getFileName()), yaml);
        }
      }
      AirlockNode node = AirlockNode.start(ConfigLoader.load(config), Clock.systemUTC());
      return new DemoNode(node, backendVertx);
    } catch (Exception e) {
      backendVertx.close();
      throw e;
    }
  }

  private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Path projectRoot() {
    String root = System.getProperty("airlock.project.root");
    return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
  }

  @Override
  public void close() throws Exception {
    try {
      node.close();
    } finally {
      await(backendVertx.close());
    }
  }
}
