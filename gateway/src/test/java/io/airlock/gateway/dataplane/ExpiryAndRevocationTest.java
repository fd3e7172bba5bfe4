package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.SigningKeys;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.grant.Action;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Grants that are no longer (or never were) good, and what the node publishes about itself:
 * metrics tagged with the same codes the agent sees, the public keys, health.
 */
class ExpiryAndRevocationTest extends OneGateway {
  @BeforeEach
  void serveTheRecord() {
    gw.backend.json(DataPlaneTest.RECORD);
  }

  static GrantClaims claims(Duration ttl) {
    return new GrantClaims(
        "alice", "SUP-1", List.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1", List.of("maria"), gw.node.revocations().epoch(), ttl);
  }

  static void assertRefused(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo(code);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
    assertThat(gw.backend.seen()).isEmpty();
  }

  @Test
  void a_grant_that_expired_is_401_grant_expired() throws Exception {
    // issued 10 minutes ago for 1 minute: 9 minutes past exp, far outside the 30 s leeway
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofMinutes(10)), ZoneOffset.UTC);
    String token = new GrantSigner(gw.node.keys(), TestConfigs.ISSUER, past).sign(claims(Duration.ofMinutes(1))).token();

    assertRefused(gw.get("/clients/c-0001", token), 401, "grant_expired");
  }

  @Test
  void a_grant_signed_with_another_key_under_our_kid_is_401_grant_invalid() throws Exception {
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID(TestConfigs.KID).generate();
    String token =
        new GrantSigner(SigningKeys.of(TestConfigs.KID, List.of(other)), TestConfigs.ISSUER, Clock.systemUTC())
            .sign(claims(Duration.ofMinutes(5)))
            .token();

    assertRefused(gw.get("/clients/c-0001", token), 401, "grant_invalid");
  }

  @Test
  void a_grant_signed_with_an_unknown_kid_is_401_grant_invalid() throws Exception {
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID("someone-elses-kid").generate();
    String token =
        new GrantSigner(SigningKeys.of("someone-elses-kid", List.of(other)), TestConfigs.ISSUER, Clock.systemUTC())
            .sign(claims(Duration.ofMinutes(5)))
            .token();

    assertRefused(gw.get("/clients/c-0001", token), 401, "grant_invalid");
  }

  @Test
  void metrics_count_requests_by_route_and_outcome() throws Exception {
    assertThat(gw.get("/clients/c-0001", gw.grant("c-0001")).statusCode()).isEqualTo(200);
    assertThat(gw.get("/clients/c-0001", null).statusCode()).isEqualTo(401);

    HttpResponse<String> m = control("/metrics");

    assertThat(m.statusCode()).isEqualTo(200);
    List<String> lines =
        m.body().lines().filter(l -> l.startsWith("airlock_dataplane_requests")).toList();
    assertThat(lines).as(m.body()).isNotEmpty();
    assertThat(lines)
        .as("a series for forwarded requests on route 'client'")
        .anyMatch(l -> l.contains("outcome=\"forwarded\"") && l.contains("route=\"client\""));
    assertThat(lines)
        .as("a series for grant_missing on route 'client'")
        .anyMatch(l -> l.contains("outcome=\"grant_missing\"") && l.contains("route=\"client\""));
  }

  @Test
  void jwks_publishes_the_public_key_only() throws Exception {
    HttpResponse<String> r = control("/.well-known/jwks.json");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonArray keys = new JsonObject(r.body()).getJsonArray("keys");
    assertThat(keys).isNotNull();
    assertThat(keys.stream().map(k -> ((JsonObject) k).getString("kid"))).contains(TestConfigs.KID);
    for (Object k : keys) {
      JsonObject key = (JsonObject) k;
      assertThat(key.containsKey("d")).as("private part published: " + key).isFalse();
      assertThat(key.getString("kty")).isEqualTo("EC");
      assertThat(key.getString("crv")).isEqualTo("P-256");
    }
    assertThat(r.body()).doesNotContain("\"d\"");
  }

  @Test
  void health_endpoints_are_200() throws Exception {
    assertThat(control("/health/live").statusCode()).isEqualTo(200);
    assertThat(control("/health/ready").statusCode()).isEqualTo(200);
  }

  static HttpResponse<String> control(String path) throws Exception {
    return gw.http.send(
        HttpRequest.newBuilder(gw.control(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
