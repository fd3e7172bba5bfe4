package io.airlock.gateway.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.IssuedGrant;
import io.airlock.gateway.store.Stores;
import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.gateway.testing.HeldQuotaStore;
import io.airlock.gateway.testing.Poll;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.grant.Action;
import io.airlock.policy.port.RevocationStore;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that passed the revocation check and is still on its way to the backend (here held
 * in the quota store, the Redis round trip between the two) when a revoke, kill-all or suspension
 * lands. The in-flight sweep does not know it yet; the forwarder must look again, after joining
 * the sweep's set, and refuse it. Red before that second look: the backend served it.
 */
class RevokedBeforeForwardTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  static GatewayHarness gw;
  static HeldQuotaStore quotas;
  static RevocationStore revocations;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayHarness.start(
            dir,
            c -> c,
            s -> {
              quotas = new HeldQuotaStore(s.quotas());
              revocations = s.revocations();
              return new Stores(s.requests(), s.events(), s.revocations(), s.auditFeed(), quotas, s.signIns(), s.closer());
            });
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @BeforeEach
  void serveTheRecord() {
    gw.backend.seen().clear();
    gw.backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
  }

  /** A fresh agent per test: the quota check skips the store for a client it recorded recently. */
  static IssuedGrant grant(String agent) {
    return new GrantSigner(gw.node.keys(), TestConfigs.ISSUER, Clock.systemUTC())
        .sign(new GrantClaims(agent, "SUP-1", List.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1", List.of("maria"),
            gw.node.revocations().epoch(), Duration.ofMinutes(5)));
  }

  /** Sends a read with {@code g} and returns once the data plane is waiting on the quota store. */
  static CompletableFuture<HttpResponse<String>> heldRead(HeldQuotaStore.Hold hold, IssuedGrant g) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(gw.data("/clients/c-0001")).header("Authorization", "Bearer " + g.token()).timeout(WAIT).build();
    CompletableFuture<HttpResponse<String>> sent = gw.http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    hold.entered.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return sent;
  }

  static HttpResponse<String> released(HeldQuotaStore.Hold hold, CompletableFuture<HttpResponse<String>> sent) throws Exception {
    hold.release();
    return sent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static void assertRefused(HttpResponse<String> r, int status, String error) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo(error);
    assertThat(gw.backend.seen()).as("the backend saw the request").isEmpty();
  }

  static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void aGrantRevokedWhileItsRequestWaitsBeforeTheForwardIsRefusedAndTheAuditSaysSo() throws Exception {
    IssuedGrant g = grant("dave");
    HeldQuotaStore.Hold hold = quotas.hold("dave");
    CompletableFuture<HttpResponse<String>> sent = heldRead(hold, g);

    await(revocations.revoke(g.jti(), g.expiresAt()));
    Poll.until("the node holds the revocation", WAIT, () -> gw.node.revocations().current().revokedJtis().contains(g.jti()));
    HttpResponse<String> r = released(hold, sent);

    assertRefused(r, 401, "grant_revoked");
    // the access record was written before the refusal: it is closed by a completion saying 401
    String requestId = new JsonObject(r.body()).getString("requestId");
    Poll.until("a completion record for " + requestId, WAIT, () -> records(requestId).stream().anyMatch(x -> "completion".equals(x.getString("type"))));
    List<JsonObject> trail = records(requestId);
    assertThat(trail).extracting(x -> x.getString("type")).containsExactly("access", "completion");
    assertThat(trail.get(1).getInteger("status")).isEqualTo(401);
    assertThat(trail.get(1).getLong("bytes")).isEqualTo(-1L);
  }

  @Test
  void aKillAllWhileARequestWaitsBeforeTheForwardIsRefused() throws Exception {
    IssuedGrant g = grant("erin");
    HeldQuotaStore.Hold hold = quotas.hold("erin");
    CompletableFuture<HttpResponse<String>> sent = heldRead(hold, g);

    long before = gw.node.revocations().epoch();
    await(revocations.killAll(before, false));
    Poll.until("the node applied the kill-all", WAIT, () -> gw.node.revocations().epoch() > before);

    assertRefused(released(hold, sent), 401, "grant_revoked");
  }

  @Test
  void aSuspensionWhileARequestWaitsBeforeTheForwardIsRefused() throws Exception {
    IssuedGrant g = grant("frank");
    HeldQuotaStore.Hold hold = quotas.hold("frank");
    CompletableFuture<HttpResponse<String>> sent = heldRead(hold, g);

    await(revocations.suspend("frank"));
    Poll.until("the node holds the suspension", WAIT, () -> gw.node.revocations().current().suspendedAgents().contains("frank"));

    assertRefused(released(hold, sent), 403, "agent_suspended");
  }

  @Test
  void withNothingRevokedTheHeldRequestIsServed() throws Exception {
    IssuedGrant g = grant("grace");
    HeldQuotaStore.Hold hold = quotas.hold("grace");
    CompletableFuture<HttpResponse<String>> sent = heldRead(hold, g);

    HttpResponse<String> r = released(hold, sent);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(gw.backend.seen()).hasSize(1);
  }

  /** This request's audit records, in the order written. */
  static List<JsonObject> records(String requestId) throws Exception {
    Path auditDir = gw.node.config().audit().dir();
    List<JsonObject> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(auditDir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
    for (Path f : files) {
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank()) {
          JsonObject rec = new JsonObject(line);
          if (requestId.equals(rec.getString("requestId"))) {
            out.add(rec);
          }
        }
      }
    }
    return out;
  }
}
