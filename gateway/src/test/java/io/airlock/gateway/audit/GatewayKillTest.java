package io.airlock.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.SigningKeys;
import io.airlock.gateway.testing.GrantLoad;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.grant.Action;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md "Audit": the access record is durable before the response is released. A real
 * gateway process is SIGKILLed under load; after a restart the chain verifies and continues,
 * and every 200 the load client received has its access record on disk.
 */
class GatewayKillTest {
  @TempDir Path dir;

  @Test
  void every_200_before_a_sigkill_has_its_access_record_and_the_chain_survives() throws Exception {
    try (RecordingBackend backend = RecordingBackend.start()) {
      backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
      AirlockConfig cfg = TestConfigs.config(dir, backend.uri());
      String token =
          new GrantSigner(SigningKeys.load(cfg.grants()), TestConfigs.ISSUER, Clock.systemUTC())
              .sign(new GrantClaims("alice", "SUP-1", List.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1",
                  List.of("maria"),
                  // any epoch at or above the store's is current; an hour ahead outlives the child's start
                  System.currentTimeMillis() + 3_600_000, Duration.ofMinutes(10)))
              .token();

      Process child = startChild(backend);
      int port = readyPort(child);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      GrantLoad load = GrantLoad.start(http, "http://127.0.0.1:" + port + "/clients/c-0001", token, 8,
          Duration.ofSeconds(5), new GrantLoad.Outcome() {
            @Override
            public boolean answered(HttpResponse<String> r) {
              return r.statusCode() == 200;
            }

            @Override
            public void failed(Exception killed) {
              // the gateway is being killed: connections fail from here on
            }
          });
      Set<String> acknowledged = load.acknowledged();
      load.awaitAcknowledged(300, Duration.ofSeconds(60), "load reached the gateway before the kill");
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      load.close();
      assertThat(acknowledged.size()).as("load reached the gateway before the kill").isGreaterThanOrEqualTo(300);

      // restart: start-up repairs a torn last line and continues the chain
      Process again = startChild(backend);
      readyPort(again);
      again.destroy();
      again.waitFor(20, TimeUnit.SECONDS);

      List<Path> files = files(cfg.audit().dir());
      AuditVerifier.Report report = AuditVerifier.verify(files);
      assertThat(report.intact()).as(String.valueOf(report.broken())).isTrue();
      Set<String> recorded = new HashSet<>();
      for (Path f : files) {
        for (String line : Files.readAllLines(f)) {
          JsonObject rec = new JsonObject(line);
          if ("access".equals(rec.getString("type"))) {
            recorded.add(rec.getString("requestId"));
          }
        }
      }
      Set<String> missing = new HashSet<>(acknowledged);
      missing.removeAll(recorded);
      assertThat(missing).as("200s without an access record on disk").isEmpty();
    }
  }

  private Process startChild(RecordingBackend backend) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(GatewayChild.class.getName());
    cmd.add(dir.toString());
    cmd.add(backend.uri().toString());
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  private static int readyPort(Process p) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("READY ")) {
        // keep draining the child's output so it never blocks on a full pipe
        BufferedReader rest = out;
        Thread drain = new Thread(() -> {
          try {
            while (rest.readLine() != null) {
              // discard
            }
          } catch (Exception ignored) {
            // the child is gone
          }
        });
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(line.split(" ")[1]);
      }
    }
    throw new AssertionError("gateway child exited before it was ready (exit " + p.waitFor() + ")");
  }

  private static List<Path> files(Path auditDir) throws Exception {
    try (Stream<Path> s = Files.list(auditDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
  }
}
