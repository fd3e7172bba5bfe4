package io.airlock.gateway.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.IssuedGrant;
import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisRevocationStore;
import io.airlock.gateway.testing.MovableClock;
import io.airlock.gateway.testing.Poll;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.NodeConfig;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.grant.Action;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grant revoked shortly before it expired, and a node that loads the revocation state (here: it
 * starts) after exp but within the verifier's leeway, when the grant would still be accepted.
 * Red while the stores pruned revoked ids at exp: the new node served the revoked grant.
 */
class RevokedPastExpiryTest {
  static final String PREFIX = RedisSupport.uniquePrefix();
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void cleanUp() {
    RedisSupport.deleteKeys(RedisSupport.uri(), PREFIX);
  }

  @Test
  void aNodeLoadingWithinTheLeewayAfterExpiryStillRefusesTheRevokedGrant() throws Exception {
    MovableClock clock = new MovableClock(Instant.now());
    RedisConfig redis = RedisConfig.of(RedisSupport.uri()).withKeyPrefix(PREFIX);
    try (RecordingBackend backend = RecordingBackend.start()) {
      backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
      AirlockConfig base = TestConfigs.config(dir, backend.uri()).withRedis(Optional.of(redis));
      try (AirlockNode a = AirlockNode.start(base.withNode(new NodeConfig("node-a")), clock);
          RedisConnector security = RedisConnector.connect(redis).toCompletableFuture().get(10, TimeUnit.SECONDS)) {
        IssuedGrant g =
            new GrantSigner(a.keys(), TestConfigs.ISSUER, clock)
                .sign(new GrantClaims("alice", "SUP-1", List.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1", List.of("maria"),
                    a.revocations().epoch(), Duration.ofMinutes(1)));
        assertThat(outcome(a, g)).isEqualTo("ok");

        new RedisRevocationStore(security, clock, base.grants().revocableAfterExpiry())
            .revoke(g.jti(), g.expiresAt())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
        Poll.until("node a holds the revocation", WAIT, () -> a.revocations().current().revokedJtis().contains(g.jti()));
        assertThat(outcome(a, g)).isEqualTo("401 grant_revoked");

        // 5 s past exp: inside the 30 s leeway, so the grant itself is still good
        clock.advanceTo(g.expiresAt().plusSeconds(5));
        try (AirlockNode b = AirlockNode.start(base.withNode(new NodeConfig("node-b")), clock)) {
          Poll.until("node b is fresh", WAIT, () -> b.revocations().fresh());
          assertThat(outcome(b, g)).as("a node that loaded after exp").isEqualTo("401 grant_revoked");
          assertThat(backend.seen()).as("only the read before the revocation").hasSize(1);
        }
      }
    }
  }

  /** "ok" for a 200, otherwise the status and error code the agent got. */
  String outcome(AirlockNode node, IssuedGrant g) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.dataPlanePort() + "/clients/c-0001"))
                .header("Authorization", "Bearer " + g.token())
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? "ok" : r.statusCode() + " " + new JsonObject(r.body()).getString("error");
  }
}
