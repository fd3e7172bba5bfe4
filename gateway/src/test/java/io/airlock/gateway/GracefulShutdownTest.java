package io.airlock.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.airlock.gateway.audit.AuditVerifier;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.SigningKeys;
import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.testing.GrantLoad;
import io.airlock.gateway.testing.Poll;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.grant.Action;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 "Graceful shutdown": {@code airlock serve} in its own JVM gets SIGTERM while agents
 * are mid-read. Every response an agent got is whole, every 200 has its access record in an
 * intact audit chain, the node leaves the live-node list in Redis, and the process exits 0.
 */
class GracefulShutdownTest {
  @TempDir Path dir;

  // a body sent in two halves 300 ms apart: SIGTERM lands between them for many exchanges
  private static final String FIRST = "{\"id\":\"c-0001\",\"name\":\"Ada\",\"padding\":\"" + "x".repeat(2000);
  private static final String SECOND = "\"}";

  @Test
  void sigterm_under_load_finishes_what_started_loses_no_audit_record_deregisters_and_exits_0() throws Exception {
    String redis = RedisSupport.uri();
    String prefix = RedisSupport.uniquePrefix();
    try (RecordingBackend backend = RecordingBackend.start()) {
      backend.respond(
          r -> {
            // text, not JSON: the route is passthrough without a masking profile
            r.response().setChunked(true).putHeader("Content-Type", "text/plain").write(FIRST);
            backend.vertx().setTimer(300, t -> r.response().end(SECOND));
          });
      int dpPort = freePort();
      int cpPort = freePort();
      Path keyFile = dir.resolve("k1.jwk.json");
      ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
      Files.writeString(keyFile, key.toJSONString());
      Files.writeString(dir.resolve("users.yaml"), TestConfigs.DEMO_USERS);
      Files.writeString(dir.resolve("routes.yaml"), String.join("\n",
          "routes:",
          "  - id: client",
          "    path: /clients/{client}",
          "    backend: " + backend.uri(),
          "    methods: [GET]",
          "    passthrough: [text/plain]",
          ""));
      Files.writeString(dir.resolve("airlock.yaml"), String.join("\n",
          "node: { id: drain-node }",
          "dataPlane: { host: 127.0.0.1, port: " + dpPort + " }",
          "controlPlane: { host: 127.0.0.1, port: " + cpPort + " }",
          "grants:",
          "  issuer: " + TestConfigs.ISSUER,
          "  activeKid: k1",
          "  keys: [ { kid: k1, file: k1.jwk.json } ]",
          "identity: { mode: demo }",
          "audit: { dir: audit, durability: sync }",
          "redis: { uri: \"" + redis + "\", keyPrefix: \"" + prefix + "\" }",
          "shutdown: { drainTimeout: 10s }",
          ""));
      GrantsConfig grants =
          new GrantsConfig(TestConfigs.ISSUER, "k1", List.of(new GrantsConfig.KeyRef("k1", keyFile)), Optional.empty(),
              Duration.ofSeconds(30), 1000, 1000);
      String token =
          new GrantSigner(SigningKeys.load(grants), TestConfigs.ISSUER, Clock.systemUTC())
              .sign(new GrantClaims("alice", "SUP-1", List.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1",
                  List.of("maria"), System.currentTimeMillis() + 3_600_000, Duration.ofMinutes(10)))
              .token();

      Process child = startServe();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      awaitStatus(http, "http://127.0.0.1:" + cpPort + "/health/ready", 200, child);
      assertThat(liveNodes(redis, prefix)).containsKey("drain-node");

      List<String> broken = new java.util.concurrent.CopyOnWriteArrayList<>();
      AtomicInteger refusedBeforeResponse = new AtomicInteger();
      GrantLoad load = GrantLoad.start(http, "http://127.0.0.1:" + dpPort + "/clients/c-0001", token, 8,
          Duration.ofSeconds(15), new GrantLoad.Outcome() {
            @Override
            public boolean answered(HttpResponse<String> r) {
              if (r.statusCode() == 200 && r.body().equals(FIRST + SECOND)) {
                return true;
              }
              if (r.statusCode() != 503 || !r.body().contains("\"error\"")) {
                broken.add("HTTP " + r.statusCode() + ": " + r.body());
              }
              return false;
            }

            @Override
            public void failed(Exception e) {
              // a refused connection, or one closed before any response byte, is a clean
              // refusal; anything else (a truncated body, a reset mid-response) is broken
              if (e instanceof ConnectException || String.valueOf(e.getMessage()).contains("received no bytes")) {
                refusedBeforeResponse.incrementAndGet();
              } else {
                broken.add(e.toString());
              }
            }
          });
      Set<String> acknowledged = load.acknowledged();
      load.awaitAcknowledged(50, Duration.ofSeconds(60), "load reached the gateway");
      int beforeTerm = acknowledged.size();
      assertThat(beforeTerm).as("load reached the gateway").isGreaterThanOrEqualTo(50);

      long pid = child.pid();
      assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor()).isZero();
      // while draining (300 ms per exchange in progress) the node already says it is not ready
      boolean sawNotReady = false;
      while (child.isAlive() && !sawNotReady) {
        try {
          HttpResponse<String> r = http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cpPort + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
          sawNotReady = r.statusCode() == 503;
        } catch (IOException gone) {
          break;
        }
      }
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the node stopped within the drain deadline").isTrue();
      load.close();

      assertThat(child.exitValue()).as("exit status after SIGTERM").isZero();
      assertThat(sawNotReady).as("/health/ready answered 503 while draining").isTrue();
      assertThat(broken).as("responses that were not complete").isEmpty();
      assertThat(acknowledged.size()).as("exchanges in progress at SIGTERM finished").isGreaterThan(beforeTerm);

      List<Path> files = auditFiles(dir.resolve("audit"));
      AuditVerifier.Report report = AuditVerifier.verify(files);
      assertThat(report.intact()).as(String.valueOf(report.broken())).isTrue();
      Set<String> recorded = new HashSet<>();
      for (Path f : files) {
        for (String line : Files.readAllLines(f)) {
          JsonObject rec = new JsonObject(Buffer.buffer(line));
          if ("access".equals(rec.getString("type"))) {
            recorded.add(rec.getString("requestId"));
          }
        }
      }
      Set<String> missing = new HashSet<>(acknowledged);
      missing.removeAll(recorded);
      assertThat(missing).as("200s without an access record").isEmpty();
      assertThat(liveNodes(redis, prefix)).as("heartbeat fields left in Redis").doesNotContainKey("drain-node");
    } finally {
      RedisSupport.deleteKeys(redis, prefix);
    }
  }

  private Process startServe() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("serve");
    cmd.add("--config");
    cmd.add(dir.toString());
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
  }

  private void awaitStatus(HttpClient http, String url, int status, Process child) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        throw new AssertionError("airlock serve exited " + child.exitValue() + ":\n" + Files.readString(dir.resolve("child.log")));
      }
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == status) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Poll.step();
    }
    throw new AssertionError(url + " never answered " + status + ":\n" + Files.readString(dir.resolve("child.log")));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> liveNodes(String redisUri, String prefix) {
    URI u = URI.create(redisUri);
    List<Object> flat = (List<Object>) RedisSupport.command(u.getHost(), u.getPort(), "HGETALL", new RedisKeys(prefix).nodes());
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      m.put((String) flat.get(i), (String) flat.get(i + 1));
    }
    return m;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static List<Path> auditFiles(Path auditDir) throws IOException {
    try (Stream<Path> s = Files.list(auditDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
  }
}
