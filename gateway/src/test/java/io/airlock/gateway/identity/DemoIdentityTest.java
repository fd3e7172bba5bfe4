package io.airlock.gateway.identity;

import static io.airlock.gateway.identity.IdentityFixtures.T0;
import static io.airlock.gateway.identity.IdentityFixtures.await;
import static io.airlock.gateway.identity.IdentityFixtures.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.GrantVerifier;
import io.airlock.gateway.grant.SigningKeys;
import io.airlock.gateway.testing.HandClock;
import io.airlock.policy.config.ListenerConfig;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Action;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Demo identity over real HTTP: login, the staff token on a guarded route, and the separation
 * of staff tokens from grants in both directions.
 */
class DemoIdentityTest {
  private static final String ISSUER = "http://127.0.0.1:8081";
  private static final ListenerConfig LOOPBACK = new ListenerConfig("127.0.0.1", 0);
  private static final DemoUsers USERS =
      DemoUsers.of(
          List.of(
              new Staff("alice", Set.of(Role.AGENT), Set.of("payments")),
              new Staff("maria", Set.of(Role.MANAGER), Set.of("payments")),
              new Staff("sam", Set.of(Role.SECURITY), Set.of())));

  private static Vertx vertx;
  private static HandClock clock;
  private static DemoAuthenticator auth;
  private static HttpServer server;
  private static WebClient http;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    clock = new HandClock(T0);
    auth = DemoAuthenticator.create(vertx, USERS, LOOPBACK, ISSUER, clock);
    Router router = Router.router(vertx);
    DemoLogin.mount(router, auth);
    router
        .get("/api/me")
        .handler(StaffAuthHandler.create(auth))
        .handler(ctx -> {
          Staff s = StaffAuthHandler.staff(ctx);
          ctx.json(new JsonObject().put("id", s.id()).put("roles", s.roles().size()));
        });
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    http =
        WebClient.create(
            vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    auth.close();
    await(vertx.close());
  }

  private static HttpResponse<Buffer> login(Object body) throws Exception {
    return await(http.post(DemoLogin.PATH).sendJsonObject(new JsonObject().put("user", body)));
  }

  private static HttpResponse<Buffer> me(String authorization) throws Exception {
    var req = http.get("/api/me");
    if (authorization != null) {
      req.putHeader("Authorization", authorization);
    }
    return await(req.send());
  }

  @Test
  void loginThenTokenRoundTrip() throws Exception {
    HttpResponse<Buffer> r = login("Maria");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("user")).isEqualTo("maria");
    assertThat(body.getJsonArray("roles").getList()).containsExactly("manager");
    assertThat(body.getJsonArray("teams").getList()).containsExactly("payments");
    assertThat(body.getString("expiresAt")).isEqualTo(T0.plus(Duration.ofHours(8)).toString());
    String token = body.getString("token");

    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("airlock-staff+jwt");
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("airlock-control-plane");

    HttpResponse<Buffer> ok = me("Bearer " + token);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.bodyAsJsonObject().getString("id")).isEqualTo("maria");
    // the scheme is case-insensitive
    assertThat(me("bearer " + token).statusCode()).isEqualTo(200);
  }

  @Test
  void missingOrBadTokensAnswer401InTheErrorShape() throws Exception {
    HttpResponse<Buffer> none = me(null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    JsonObject body = none.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo("unauthenticated");
    assertThat(body.getString("message")).contains("missing Authorization");
    assertThat(body.getString("requestId")).isNotBlank();

    HttpResponse<Buffer> bad = me("Bearer not.a.token");
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.getHeader("WWW-Authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
    assertThat(bad.bodyAsJsonObject().getString("error")).isEqualTo("unauthenticated");

    assertThat(me("Basic YWxpY2U6eA==").statusCode()).isEqualTo(401);
  }

  @Test
  void loginRefusesUnknownUsersAndMalformedBodies() throws Exception {
    HttpResponse<Buffer> unknown = login("mallory");
    assertThat(unknown.statusCode()).isEqualTo(404);
    JsonObject e = unknown.bodyAsJsonObject();
    assertThat(e.getString("error")).isEqualTo("unknown_user");
    assertThat(e.getString("message")).contains("'mallory'", "alice, maria, sam");
    assertThat(e.getString("requestId")).isNotBlank();

    assertThat(login("\u0430lice").statusCode()).isEqualTo(404);

    HttpResponse<Buffer> noUser = login(null);
    assertThat(noUser.statusCode()).isEqualTo(400);
    assertThat(noUser.bodyAsJsonObject().getString("message")).startsWith("user:");

    HttpResponse<Buffer> notJson =
        await(http.post(DemoLogin.PATH).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("user=alice")));
    assertThat(notJson.statusCode()).isEqualTo(400);

    // a form post, which any web page could make cross-site, is not a login
    HttpResponse<Buffer> form =
        await(http.post(DemoLogin.PATH).putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("{\"user\":\"sam\"}")));
    assertThat(form.statusCode()).isEqualTo(415);
  }

  @Test
  void tokensForUnknownUsersOrOutsideTheirLifetimeAreRefused() throws Exception {
    String mallory = auth.sign("mallory", T0, T0.plus(Duration.ofHours(1)));
    assertThat(refusal(auth.authenticate(mallory)).getMessage()).contains("'mallory', who is not a demo user");

    String expired = auth.sign("alice", T0.minus(Duration.ofHours(9)), T0.minus(Duration.ofHours(1)));
    assertThat(refusal(auth.authenticate(expired)).getMessage()).contains("expired");

    String tooLong = auth.sign("alice", T0, T0.plus(Duration.ofHours(9)));
    assertThat(refusal(auth.authenticate(tooLong)).getMessage()).contains("at most 8 h");

    // another node's (or a previous run's) key: not ours
    try (DemoAuthenticator other = DemoAuthenticator.create(vertx, USERS, LOOPBACK, ISSUER, clock)) {
      String foreign = other.login("alice").orElseThrow().token();
      assertThat(refusal(auth.authenticate(foreign)).getMessage()).contains("is not this node's staff-token key");
    }

    String valid = auth.login("alice").orElseThrow().token();
    assertThat(await(auth.authenticate(valid)).id()).isEqualTo("alice");
  }

  @Test
  void demoModeNeedsALoopbackControlPlane() {
    for (String host : List.of("0.0.0.0", "10.0.0.5", "::", "airlock.example.com")) {
      assertThatThrownBy(
              () -> DemoAuthenticator.create(vertx, USERS, new ListenerConfig(host, 8081), ISSUER, clock))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("loopback controlPlane.host")
          .hasMessageContaining(host);
    }
    for (String host : List.of("127.0.0.1", "::1", "localhost")) {
      DemoAuthenticator.create(vertx, USERS, new ListenerConfig(host, 8081), ISSUER, clock).close();
    }
  }

  @Test
  void aGrantIsNeverAStaffTokenAndAStaffTokenNeverAGrant() throws Exception {
    // the worst case: one key signs both kinds of token; typ and aud alone keep them apart
    ECKey shared = DemoAuthenticator.generateKey();
    try (DemoAuthenticator demo = new DemoAuthenticator(vertx, USERS, LOOPBACK, ISSUER, clock, shared)) {
      SigningKeys keys = SigningKeys.of(shared.getKeyID(), List.of(shared));
      GrantSigner grants = new GrantSigner(keys, ISSUER, clock);
      GrantVerifier grantVerifier = new GrantVerifier(keys, ISSUER, Duration.ofSeconds(30), clock);

      String grant =
          grants.sign(new GrantClaims("alice", "SUP-1234", List.of("c-0001"), Set.of(Action.READ),
              Set.of(), null, List.of("maria"), 0, Duration.ofMinutes(15))).token();
      assertThat(grantVerifier.verify(grant).agent()).isEqualTo("alice");
      assertThat(refusal(demo.authenticate(grant)).getMessage())
          .contains("typ must be airlock-staff+jwt, got 'airlock-grant+jwt'");

      String staff = demo.login("alice").orElseThrow().token();
      assertThat(await(demo.authenticate(staff)).id()).isEqualTo("alice");
      Denied d = catchThrowableOfType(Denied.class, () -> grantVerifier.verify(staff));
      assertThat(d.reason()).isEqualTo(Reason.GRANT_INVALID);
      assertThat(d.getMessage()).contains("typ must be airlock-grant+jwt");

      // a staff token relabelled as a grant still names the control plane as its audience
      SignedJWT relabelled =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256)
                  .type(new JOSEObjectType(GrantSigner.TYPE))
                  .keyID(shared.getKeyID())
                  .build(),
              new JWTClaimsSet.Builder(SignedJWT.parse(staff).getJWTClaimsSet()).build());
      relabelled.sign(new ECDSASigner(shared));
      Denied aud = catchThrowableOfType(Denied.class, () -> grantVerifier.verify(relabelled.serialize()));
      assertThat(aud.getMessage()).containsAnyOf("aud must be airlock-data-plane", "missing required claims");

      // and a grant relabelled as a staff token still names the data plane
      SignedJWT grantAsStaff =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256)
                  .type(new JOSEObjectType(DemoAuthenticator.TYPE))
                  .keyID(shared.getKeyID())
                  .build(),
              new JWTClaimsSet.Builder()
                  .issuer(ISSUER)
                  .audience(GrantSigner.AUDIENCE)
                  .subject("alice")
                  .issueTime(Date.from(T0))
                  .notBeforeTime(Date.from(T0))
                  .expirationTime(Date.from(T0.plusSeconds(600)))
                  .build());
      grantAsStaff.sign(new ECDSASigner(shared));
      assertThat(refusal(demo.authenticate(grantAsStaff.serialize())).getMessage())
          .contains("aud must be airlock-control-plane");
    }

    // and with distinct keys, as in a real node
    SigningKeys grantKeys = SigningKeys.of("g1", List.of(IdentityFixtures.ec("g1")));
    String grant =
        new GrantSigner(grantKeys, ISSUER, clock)
            .sign(new GrantClaims("alice", "SUP-1", List.of("c-1"), Set.of(Action.READ), Set.of(),
                null, List.of(), 0, Duration.ofMinutes(5)))
            .token();
    assertThat(refusal(auth.authenticate(grant))).isInstanceOf(Unauthenticated.class);
    String staff = auth.login("sam").orElseThrow().token();
    assertThat(catchThrowableOfType(Denied.class,
            () -> new GrantVerifier(grantKeys, ISSUER, Duration.ofSeconds(30), clock).verify(staff))
        .reason())
        .isEqualTo(Reason.GRANT_INVALID);
  }
}
