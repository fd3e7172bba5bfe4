package io.airlock.gateway.identity;

import static io.airlock.gateway.identity.IdentityFixtures.AUDIENCE;
import static io.airlock.gateway.identity.IdentityFixtures.EC1;
import static io.airlock.gateway.identity.IdentityFixtures.IDP_ISSUER;
import static io.airlock.gateway.identity.IdentityFixtures.RSA1;
import static io.airlock.gateway.identity.IdentityFixtures.RSA2;
import static io.airlock.gateway.identity.IdentityFixtures.T0;
import static io.airlock.gateway.identity.IdentityFixtures.await;
import static io.airlock.gateway.identity.IdentityFixtures.b64;
import static io.airlock.gateway.identity.IdentityFixtures.claims;
import static io.airlock.gateway.identity.IdentityFixtures.header;
import static io.airlock.gateway.identity.IdentityFixtures.mint;
import static io.airlock.gateway.identity.IdentityFixtures.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.SigningKeys;
import io.airlock.gateway.identity.IdentityFixtures.FakeIdp;
import io.airlock.gateway.testing.HandClock;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.grant.Action;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The company identity provider's tokens, against a real JWKS endpoint on loopback. */
class OidcAuthenticatorTest {
  private static Vertx vertx;

  private final HandClock clock = new HandClock(T0);
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(vertx.close());
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private FakeIdp idp(com.nimbusds.jose.jwk.JWK... keys) throws Exception {
    FakeIdp idp = new FakeIdp(vertx, keys);
    closing.add(idp);
    return idp;
  }

  private OidcAuthenticator authenticator(FakeIdp idp, String userClaim, String rolesClaim)
      throws Exception {
    OidcConfig config =
        new OidcConfig(
            IDP_ISSUER, AUDIENCE, idp.uri(), OidcConfig.DEFAULT_ALGORITHMS, userClaim, rolesClaim,
            "teams", Duration.ofMinutes(10));
    OidcAuthenticator a = await(OidcAuthenticator.start(vertx, config, clock));
    closing.add(a);
    return a;
  }

  private OidcAuthenticator authenticator(FakeIdp idp) throws Exception {
    return authenticator(idp, "sub", "roles");
  }

  @Test
  void validTokensOfBothKeyTypesBecomeStaffWithRolesAndTeams() throws Exception {
    OidcAuthenticator auth = authenticator(idp(RSA1, EC1));

    Staff alice = await(auth.authenticate(mint(claims(T0), RSA1)));
    assertThat(alice).isEqualTo(new Staff("alice", Set.of(Role.AGENT), Set.of("payments")));

    Map<String, Object> c = claims(T0);
    c.put("sub", "maria");
    c.put("roles", List.of("manager"));
    assertThat(await(auth.authenticate(mint(c, EC1))))
        .isEqualTo(new Staff("maria", Set.of(Role.MANAGER), Set.of("payments")));
  }

  @Test
  void wrongIssuerAudienceOrTimesAreRefused() throws Exception {
    OidcAuthenticator auth = authenticator(idp(RSA1));

    Map<String, Object> c = claims(T0);
    c.put("iss", "https://evil.test/realms/staff");
    assertThat(refusal(auth.authenticate(mint(c, RSA1))).getMessage())
        .contains("iss 'https://evil.test/realms/staff' is not the identity provider");

    c = claims(T0);
    c.put("aud", "some-other-app");
    assertThat(refusal(auth.authenticate(mint(c, RSA1))).getMessage())
        .contains("aud must contain 'airlock'");

    c = claims(T0.minus(Duration.ofMinutes(10)));
    assertThat(refusal(auth.authenticate(mint(c, RSA1))).getMessage()).contains("expired at");

    // inside the 30 s leeway it still counts
    c = claims(T0.minus(Duration.ofMinutes(6)));
    c.put("exp", T0.minusSeconds(20).getEpochSecond());
    assertThat(await(auth.authenticate(mint(c, RSA1))).id()).isEqualTo("alice");

    c = claims(T0.plus(Duration.ofMinutes(2)));
    assertThat(refusal(auth.authenticate(mint(c, RSA1))).getMessage())
        .containsAnyOf("not valid before", "in the future");

    c = claims(T0);
    c.remove("iat");
    assertThat(refusal(auth.authenticate(mint(c, RSA1))).getMessage())
        .contains("missing required claims").contains("iat");
    // seconds * 1000 overflows inside Nimbus: a token dated 584 million years back must not read as
    // "expires in 10 minutes"
    long exp = T0.getEpochSecond() + 600 - 18_446_744_073_709_552L;
    c = claims(T0);
    c.put("exp", exp);
    c.put("iat", exp - 900);
    c.remove("nbf"); // optional in identity-provider tokens
    assertThat(refusal(auth.authenticate(mint(c, RSA1))).getMessage()).contains("is not a time between 1970 and 9999");
  }

  @Test
  void expiryIsJudgedByTheClockEvenForAcceptedTokens() throws Exception {
    OidcAuthenticator auth = authenticator(idp(RSA1));
    String token = mint(claims(T0), RSA1);
    assertThat(await(auth.authenticate(token)).id()).isEqualTo("alice");

    clock.advance(Duration.ofMinutes(5).plusSeconds(31));
    assertThat(refusal(auth.authenticate(token)).getMessage()).contains("expired");
  }

  @Test
  void algNoneAndHmacWithThePublicKeyAreRefused() throws Exception {
    OidcAuthenticator auth = authenticator(idp(RSA1));

    Map<String, Object> none = header("none", RSA1.getKeyID());
    String unsigned = b64(none) + "." + b64(claims(T0)) + ".";
    assertThat(refusal(auth.authenticate(unsigned)).getMessage())
        .contains("alg must be RS256 or ES256, got 'none'");

    // the classic confusion: the verifier's public key used as an HMAC secret
    Map<String, Object> hs = header("HS256", RSA1.getKeyID());
    String input = b64(hs) + "." + b64(claims(T0));
    byte[] secret = RSA1.toRSAPublicKey().getEncoded();
    Base64URL mac =
        new MACSigner(secret).sign(new JWSHeader(JWSAlgorithm.HS256), input.getBytes(StandardCharsets.US_ASCII));
    assertThat(refusal(auth.authenticate(input + "." + mac)).getMessage())
        .contains("alg must be RS256 or ES256, got 'HS256'");
  }

  @Test
  void tokensThatNameTheirOwnKeyOrAForeignTypeOrTheWrongSignerAreRefused() throws Exception {
    OidcAuthenticator auth = authenticator(idp(RSA1));

    Map<String, Object> h = header("RS256", RSA1.getKeyID());
    h.put("jku", "https://evil.test/keys");
    assertThat(refusal(auth.authenticate(mint(h, claims(T0), RSA1))).getMessage())
        .contains("must not carry 'jku'");

    h = header("RS256", RSA1.getKeyID());
    h.put("typ", "airlock-staff+jwt");
    assertThat(refusal(auth.authenticate(mint(h, claims(T0), RSA1))).getMessage())
        .contains("typ must be JWT or at+jwt");

    // right kid, someone else's key
    RSAKey impostor = IdentityFixtures.rsa(RSA1.getKeyID());
    assertThat(refusal(auth.authenticate(mint(claims(T0), impostor))).getMessage())
        .contains("signature does not verify");
  }

  @Test
  void aGrantIsNeverAStaffTokenEvenWhenTheIdpKeyWouldVerifyIt() throws Exception {
    OidcAuthenticator auth = authenticator(idp(EC1));
    // worst case: the grant is signed with a key the identity provider publishes
    GrantSigner signer = new GrantSigner(SigningKeys.of(EC1.getKeyID(), List.of(EC1)), IDP_ISSUER, clock);
    String grant =
        signer.sign(new GrantClaims("alice", "SUP-1", List.of("c-1"), Set.of(Action.READ), Set.of(),
            null, List.of(), 0, Duration.ofMinutes(5))).token();
    assertThat(refusal(auth.authenticate(grant)).getMessage())
        .contains("typ must be JWT or at+jwt", "airlock-grant+jwt");
  }

  @Test
  void keyRotationAtTheProviderIsPickedUpByOneRefetch() throws Exception {
    FakeIdp idp = idp(RSA1);
    OidcAuthenticator auth = authenticator(idp);
    String oldToken = mint(claims(T0), RSA1);
    assertThat(await(auth.authenticate(oldToken)).id()).isEqualTo("alice");
    assertThat(idp.hits.get()).isEqualTo(1);

    idp.publish(RSA2);
    Map<String, Object> c = claims(T0);
    c.put("sub", "bob");
    assertThat(await(auth.authenticate(mint(c, RSA2))).id()).isEqualTo("bob");
    assertThat(idp.hits.get()).isEqualTo(2);
    assertThat(auth.knownKids()).containsExactly("rsa-2");

    // the withdrawn key's token was accepted and cached before; it is checked again and refused
    assertThat(refusal(auth.authenticate(oldToken)).getMessage())
        .contains("kid 'rsa-1' is not among the identity provider's keys");
  }

  @Test
  void unknownKidFloodCostsTheProviderOneFetchPerInterval() throws Exception {
    FakeIdp idp = idp(RSA1);
    OidcAuthenticator auth = authenticator(idp);
    ECKey stranger = IdentityFixtures.ec("unused");
    List<Future<Staff>> attempts = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ECKey k = new ECKey.Builder(stranger).keyID(UUID.randomUUID().toString()).build();
      Map<String, Object> h = header("ES256", k.getKeyID());
      attempts.add(auth.authenticate(mint(h, claims(T0), k)));
    }
    for (Future<Staff> f : attempts) {
      assertThat(refusal(f).getMessage()).contains("is not among the identity provider's keys");
    }
    // the start-up fetch plus at most one triggered by the first unknown kid
    assertThat(idp.hits.get()).isLessThanOrEqualTo(2);
    int before = idp.hits.get();

    clock.advance(OidcAuthenticator.MIN_UNKNOWN_KID_REFETCH.plusSeconds(1));
    ECKey k = new ECKey.Builder(stranger).keyID("later").build();
    Map<String, Object> c = claims(clock.instant());
    assertThat(refusal(auth.authenticate(mint(header("ES256", "later"), c, k))).getMessage())
        .contains("'later' is not among");
    assertThat(idp.hits.get()).isEqualTo(before + 1);
  }

  @Test
  void rolesComeFromTheConfiguredClaimAndUnknownValuesAreIgnored() throws Exception {
    OidcAuthenticator auth = authenticator(idp(RSA1), "sub", "groups");

    Map<String, Object> c = claims(T0);
    c.put("roles", List.of("security"));  // not the configured claim: ignored
    c.put("groups", List.of("Manager", "security", "admin", "agent-lead"));
    assertThat(await(auth.authenticate(mint(c, RSA1))).roles())
        .containsExactlyInAnyOrder(Role.MANAGER, Role.SECURITY);

    c.put("groups", "agent");  // some providers send a single value as a string
    assertThat(await(auth.authenticate(mint(c, RSA1))).roles()).containsExactly(Role.AGENT);

    c.remove("groups");
    assertThat(await(auth.authenticate(mint(c, RSA1))).roles()).isEmpty();

    c.put("groups", Map.of("agent", true));
    assertThat(refusal(auth.authenticate(mint(c, RSA1))).getMessage())
        .contains("claim 'groups' must be an array of strings");
  }

  @Test
  void userIdsAreNormalisedAndLookAlikesRefused() throws Exception {
    OidcAuthenticator auth = authenticator(idp(RSA1), "preferred_username", "roles");

    Map<String, Object> c = claims(T0);
    c.put("sub", "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    c.put("preferred_username", "ａｌｉｃｅ");  // full-width
    assertThat(await(auth.authenticate(mint(c, RSA1))).id()).isEqualTo("alice");

    c.put("preferred_username", " Alice ");
    assertThat(await(auth.authenticate(mint(c, RSA1))).id()).isEqualTo("alice");

    c.put("preferred_username", "\u0430lice");  // Cyrillic a
    assertThat(refusal(auth.authenticate(mint(c, RSA1))).getMessage())
        .contains("claim 'preferred_username' is not a usable staff id");

    c.remove("preferred_username");
    assertThat(refusal(auth.authenticate(mint(c, RSA1))).getMessage())
        .contains("missing required claims").contains("preferred_username");
  }

  @Test
  void anUnreachableProviderRefusesTokensUntilItAnswers() throws Exception {
    FakeIdp idp = idp(RSA1);
    java.net.URI uri = idp.uri();
    idp.close();
    closing.remove(idp);
    OidcConfig config =
        new OidcConfig(IDP_ISSUER, AUDIENCE, uri, OidcConfig.DEFAULT_ALGORITHMS, "sub", "roles",
            "teams", Duration.ofMinutes(10));
    OidcAuthenticator auth = await(OidcAuthenticator.start(vertx, config, clock));
    closing.add(auth);
    assertThat(refusal(auth.authenticate(mint(claims(T0), RSA1))).getMessage())
        .contains("signing keys could not be fetched");
  }

  @Test
  void garbageIsRefusedWithoutTouchingTheProvider() throws Exception {
    FakeIdp idp = idp(RSA1);
    OidcAuthenticator auth = authenticator(idp);
    for (String t : List.of("", "abc", "a.b", "a.b.c.d", "!!.??.##", "x".repeat(20_000))) {
      assertThat(refusal(auth.authenticate(t))).isInstanceOf(Unauthenticated.class);
    }
    // a valid token with its signature spelled non-canonically (a spare low bit set)
    String token = mint(claims(T0), RSA1);
    char last = token.charAt(token.length() - 1);
    String respelled = token.substring(0, token.length() - 1) + (char) (last ^ 1);
    assertThat(refusal(auth.authenticate(respelled)).getMessage()).containsAnyOf("canonical", "signature");
    assertThat(idp.hits.get()).isEqualTo(1);
  }
}
