package io.airlock.gateway.ui;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.gateway.demo.DemoBackend;
import io.airlock.gateway.demo.DemoData;
import io.airlock.gateway.identity.TinyIdp;
import io.airlock.gateway.testing.RedisSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code ./airlock demo} runs, in-process: the demo backend (seed 42, as the demo) and a
 * node loaded from {@code config/demo/} by the real config loader, with only its ports, the
 * backend address, the key and audit directories and the UI origin moved so tests never collide
 * with a running demo or each other. Its shared state is in the real Redis, under a key prefix of
 * its own (deleted on close), as a production node's would be.
 *
 * <p>{@link #startOidc} runs the same node with {@code identity.mode: oidc} and browser sign-in
 * against a {@link TinyIdp}, with the secrets a non-demo node insists on written beforehand.
 */
final class DemoNode implements AutoCloseable {
  static final long SEED = 42L;

  final DemoData data = DemoData.generate(SEED);
  final AirlockNode node;
  final String ui;
  final String dataPlane;
  private final Vertx backendVertx;
  private final String redisPrefix;

  private DemoNode(AirlockNode node, Vertx backendVertx, String redisPrefix) {
    this.node = node;
    this.backendVertx = backendVertx;
    this.redisPrefix = redisPrefix;
    this.ui = "http://127.0.0.1:" + node.controlPlanePort() + "/";
    this.dataPlane = "http://127.0.0.1:" + node.dataPlanePort();
  }

  static DemoNode start(Path dir) throws Exception {
    return start(dir, null);
  }

  /** The demo node in OIDC mode, signing staff in through {@code idp}. */
  static DemoNode startOidc(Path dir, TinyIdp idp) throws Exception {
    return start(dir, idp);
  }

  private static DemoNode start(Path dir, TinyIdp idp) throws Exception {
    Vertx backendVertx = Vertx.vertx();
    String redisPrefix = RedisSupport.uniquePrefix();
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
          if (f.getFileName().toString().equals("airlock.yaml")) {
            if (!yaml.contains("corsOrigins")) {
              yaml = yaml.replace("  port: " + dataPort + "\n", "  port: " + dataPort + "\n  corsOrigins: [\"http://127.0.0.1:" + controlPort + "\"]\n");
            }
            yaml += "\nredis:\n  uri: " + RedisSupport.uri() + "\n  keyPrefix: \"" + redisPrefix + "\"\n";
            if (idp != null) {
              yaml = oidc(yaml, dir, config, idp, controlPort);
            }
          }
          Files.writeString(config.resolve(f.getFileName()), yaml);
        }
      }
      AirlockNode node = AirlockNode.start(ConfigLoader.load(config), Clock.systemUTC());
      return new DemoNode(node, backendVertx, redisPrefix);
    } catch (Exception e) {
      backendVertx.close();
      RedisSupport.deleteKeys(RedisSupport.uri(), redisPrefix);
      throw e;
    }
  }

  /** identity.mode oidc with browser sign-in, and the secret files outside demo mode requires. */
  private static String oidc(String yaml, Path dir, Path config, TinyIdp idp, int controlPort) throws IOException {
    String identity =
        String.join("\n",
            "  mode: oidc",
            "  oidc:",
            "    issuer: " + idp.issuer(),
            "    audience: " + TinyIdp.CLIENT_ID,
            "    jwksUri: " + idp.jwksUri(),
            "    algorithms: [ES256]",
            "    redirectUri: http://127.0.0.1:" + controlPort + "/auth/oidc/callback",
            "    clientSecretFile: idp-client.secret",
            "");
    String replaced = yaml.replace("  mode: demo\n", identity);
    if (replaced.equals(yaml)) {
      throw new IllegalStateException("config/demo/airlock.yaml no longer says 'identity: mode: demo'");
    }
    ownerOnly(config.resolve("idp-client.secret"), TinyIdp.CLIENT_SECRET);
    byte[] key = new byte[32];
    for (String name : List.of("watermark.key", "masking.key")) {
      new SecureRandom().nextBytes(key);
      ownerOnly(Files.createDirectories(dir.resolve("keys")).resolve(name), Base64.getEncoder().encodeToString(key));
    }
    return replaced;
  }

  private static void ownerOnly(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content);
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
      try {
        await(backendVertx.close());
      } finally {
        RedisSupport.deleteKeys(RedisSupport.uri(), redisPrefix);
      }
    }
  }
}
