package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.audit.AuditVerifier;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.testing.Poll;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.AuditConfig;
import io.airlock.policy.grant.Action;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Step 8: the access record is on disk before the data leaves; no audit, no data. */
class AccessAuditTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void every_forwarded_read_has_its_access_record_on_disk_before_the_response() throws Exception {
    try (RecordingBackend backend = RecordingBackend.start()) {
      backend.json("{\"id\":\"c-0001\",\"email\":\"ada@example.com\"}");
      AirlockConfig cfg = TestConfigs.config(dir, backend.uri());
      try (AirlockNode node = AirlockNode.start(cfg, Clock.systemUTC())) {
        HttpResponse<String> r = get(node, "/clients/c-0001?fields=ssn,email&format=json", token(node, "c-0001"));
        assertThat(r.statusCode()).isEqualTo(200);
        String requestId = r.headers().firstValue("X-Airlock-Request-Id").orElseThrow();

        // sync durability: the access record was fsync'd before the first byte left
        List<JsonObject> records = records(cfg.audit().dir());
        assertThat(records)
            .anySatisfy(
                rec -> {
                  assertThat(rec.getString("type")).isEqualTo("access");
                  assertThat(rec.getString("requestId")).isEqualTo(requestId);
                  assertThat(rec.getString("agent")).isEqualTo("alice");
                  assertThat(rec.getString("client")).isEqualTo("c-0001");
                  assertThat(rec.getString("ticket")).isEqualTo("SUP-1");
                  assertThat(rec.getString("route")).isEqualTo("client");
                  assertThat(rec.getString("path")).isEqualTo("/clients/c-0001");
                  // the backend got the query too: the record must say what was asked for
                  assertThat(rec.getString("query")).isEqualTo("fields=ssn,email&format=json");
                });

        HttpResponse<String> denied = get(node, "/clients/c-0002", token(node, "c-0001"));
        assertThat(denied.statusCode()).isEqualTo(403);
        awaitRecord(cfg.audit().dir(), "denied", "out_of_scope");
        awaitRecord(cfg.audit().dir(), "completion", null);
      }
      assertThat(AuditVerifier.verify(files(cfg.audit().dir())).intact()).isTrue();
    }
  }

  @Test
  void an_unwritable_audit_directory_refuses_reads_with_503_and_recovers_by_itself() throws Exception {
    try (RecordingBackend backend = RecordingBackend.start()) {
      backend.json("{\"id\":\"c-0001\"}");
      Path auditDir = dir.resolve("audit-blocked");
      // a regular file where the directory should be: unusable even for root
      Files.writeString(auditDir, "not a directory");
      AirlockConfig base = TestConfigs.config(dir, backend.uri());
      AirlockConfig cfg = withAudit(base, new AuditConfig(auditDir, AuditConfig.Durability.SYNC, 512, 65_536, 100_000));
      try (AirlockNode node = AirlockNode.start(cfg, Clock.systemUTC())) {
        String grant = token(node, "c-0001");
        HttpResponse<String> r = get(node, "/clients/c-0001", grant);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("audit_unavailable");
        assertThat(backend.seen()).isEmpty();
        assertThat(ready(node)).isEqualTo(503);

        Files.delete(auditDir);
        Files.createDirectories(auditDir);
        Instant deadline = Instant.now().plusSeconds(10);
        int status;
        do {
          status = get(node, "/clients/c-0001", grant).statusCode();
        } while (status != 200 && Instant.now().isBefore(deadline));
        assertThat(status).as("recovers once the directory is usable").isEqualTo(200);
        assertThat(ready(node)).isEqualTo(200);
      }
    }
  }

  private static AirlockConfig withAudit(AirlockConfig c, AuditConfig audit) {
    return c.withAudit(audit);
  }

  private int ready(AirlockNode node) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.controlPlanePort() + "/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private static String token(AirlockNode node, String client) {
    return new GrantSigner(node.keys(), TestConfigs.ISSUER, Clock.systemUTC())
        .sign(new GrantClaims("alice", "SUP-1", List.of(client), Set.of(Action.READ), Set.of(), "req-1", List.of("maria"), node.revocations().epoch(),
            Duration.ofMinutes(5)))
        .token();
  }

  private HttpResponse<String> get(AirlockNode node, String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.dataPlanePort() + path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<Path> files(Path auditDir) throws Exception {
    try (Stream<Path> s = Files.list(auditDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
  }

  private static List<JsonObject> records(Path auditDir) throws Exception {
    List<JsonObject> out = new java.util.ArrayList<>();
    for (Path f : files(auditDir)) {
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank()) {
          out.add(new JsonObject(line));
        }
      }
    }
    return out;
  }

  /** Completion and denial records are written after the response: poll for them. */
  private static void awaitRecord(Path auditDir, String type, String error) throws Exception {
    Instant deadline = Instant.now().plusSeconds(5);
    while (Instant.now().isBefore(deadline)) {
      if (records(auditDir).stream()
          .anyMatch(r -> type.equals(r.getString("type")) && (error == null || error.equals(r.getString("error"))))) {
        return;
      }
      Poll.step();
    }
    throw new AssertionError("no " + type + " record" + (error == null ? "" : " with error " + error) + " within 5 s");
  }
}
