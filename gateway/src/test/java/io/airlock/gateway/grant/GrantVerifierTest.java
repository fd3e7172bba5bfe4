package io.airlock.gateway.grant;

import static io.airlock.gateway.grant.GrantFixtures.ISSUER;
import static io.airlock.gateway.grant.GrantFixtures.K1;
import static io.airlock.gateway.grant.GrantFixtures.K2;
import static io.airlock.gateway.grant.GrantFixtures.T0;
import static io.airlock.gateway.grant.GrantFixtures.b64;
import static io.airlock.gateway.grant.GrantFixtures.claims;
import static io.airlock.gateway.grant.GrantFixtures.denied;
import static io.airlock.gateway.grant.GrantFixtures.header;
import static io.airlock.gateway.grant.GrantFixtures.signed;
import static io.airlock.gateway.grant.GrantFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.Base64URL;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Action;
import io.airlock.policy.grant.Grant;
import io.airlock.policy.mask.FieldClass;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrantVerifierTest {
  private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
  private final GrantVerifier verifier = GrantFixtures.verifier(clock, K1, K2);

  private String good() {
    return token(header("k1"), claims(T0), K1);
  }

  @Test
  void signerAndVerifierRoundTrip() {
    GrantSigner signer = new GrantSigner(SigningKeys.of("k1", List.of(K1, K2)), ISSUER, clock);
    IssuedGrant issued =
        signer.sign(new GrantClaims("alice", "SUP-1234", List.of("c-1", "c-2"),
            Set.of(Action.READ, Action.WRITE), Set.of(FieldClass.EMAIL, FieldClass.PHONE), "r-9",
            List.of("maria", "sam"), 7, Duration.ofMinutes(10)));

    Grant g = verifier.verify(issued.token());

    assertThat(g.jti()).isEqualTo(issued.jti()).matches("[A-Za-z0-9_-]{22}");
    assertThat(g.issuer()).isEqualTo(ISSUER);
    assertThat(g.agent()).isEqualTo("alice");
    assertThat(g.ticket()).isEqualTo("SUP-1234");
    assertThat(g.clients()).containsExactlyInAnyOrder("c-1", "c-2");
    assertThat(g.actions()).containsExactlyInAnyOrder(Action.READ, Action.WRITE);
    assertThat(g.unmask()).containsExactlyInAnyOrder(FieldClass.EMAIL, FieldClass.PHONE);
    assertThat(g.requestId()).isEqualTo("r-9");
    assertThat(g.approvers()).containsExactly("maria", "sam");
    assertThat(g.epoch()).isEqualTo(7);
    assertThat(g.issuedAt()).isEqualTo(T0);
    assertThat(g.notBefore()).isEqualTo(T0);
    assertThat(g.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(10))).isEqualTo(issued.expiresAt());
    String header = new String(Base64URL.from(issued.token().split("\\.")[0]).decode(),
        StandardCharsets.UTF_8);
    assertThat(header).contains("\"typ\":\"airlock-grant+jwt\"", "\"kid\":\"k1\"", "ES256");
  }

  @Test
  void twoGrantsNeverShareAJti() {
    GrantSigner signer = new GrantSigner(SigningKeys.of("k1", List.of(K1)), ISSUER, clock);
    GrantClaims c = new GrantClaims("a", "T", List.of("c"), Set.of(Action.READ), Set.of(), null,
        List.of(), 0, Duration.ofMinutes(1));
    assertThat(signer.sign(c).jti()).isNotEqualTo(signer.sign(c).jti());
  }

  @Test
  void refusesOtherTyp() {
    Map<String, Object> h = header("k1");
    h.put("typ", "at+jwt");
    denied(verifier, token(h, claims(T0), K1), Reason.GRANT_INVALID,
        "grant typ must be airlock-grant+jwt", "at+jwt");
  }

  @Test
  void refusesJwtTyp() {
    Map<String, Object> h = header("k1");
    h.put("typ", "JWT");
    denied(verifier, token(h, claims(T0), K1), Reason.GRANT_INVALID,
        "grant typ must be airlock-grant+jwt", "'JWT'");
  }

  @Test
  void refusesAbsentTyp() {
    Map<String, Object> h = header("k1");
    h.remove("typ");
    denied(verifier, token(h, claims(T0), K1), Reason.GRANT_INVALID,
        "grant typ must be airlock-grant+jwt", "missing");
  }

  @Test
  void refusesAlgNone() {
    Map<String, Object> h = header("k1");
    h.put("alg", "none");
    denied(verifier, b64(h) + "." + b64(claims(T0)) + ".", Reason.GRANT_INVALID,
        "grant alg must be ES256", "'none'");
  }

  @Test
  void refusesHs256SignedWithThePublicKey() throws Exception {
    Map<String, Object> h = header("k1");
    h.put("alg", "HS256");
    String input = b64(h) + "." + b64(claims(T0));
    // The classic confusion: a verifier that lets the token pick the algorithm would HMAC with
    // the bytes of the published key.
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(
        K1.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String token = input + "."
        + Base64URL.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    denied(verifier, token, Reason.GRANT_INVALID, "grant alg must be ES256", "'HS256'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES384", "RS256", "ES256K", "EdDSA", "es256"})
  void refusesEveryOtherAlg(String alg) {
    Map<String, Object> h = header("k1");
    h.put("alg", alg);
    denied(verifier, token(h, claims(T0), K1), Reason.GRANT_INVALID,
        "grant alg must be ES256", "'" + alg + "'");
  }

  @Test
  void refusesUnknownKid() {
    denied(verifier, token(header("x"), claims(T0), K1), Reason.GRANT_INVALID, "unknown kid 'x'");
  }

  @Test
  void refusesMissingKid() {
    Map<String, Object> h = header("k1");
    h.remove("kid");
    denied(verifier, token(h, claims(T0), K1), Reason.GRANT_INVALID, "no kid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jwk", "jku", "x5u", "x5c", "x5t", "cty"})
  void refusesHeaderParametersBeyondAlgTypKid(String param) {
    Map<String, Object> h = header("k1");
    h.put(param, "jwk".equals(param) ? K1.toPublicJWK().toJSONObject() : "https://evil.test/k");
    denied(verifier, token(h, claims(T0), K1), Reason.GRANT_INVALID,
        "grant header must not carry '" + param + "'");
  }

  @Test
  void refusesCrit() {
    Map<String, Object> h = header("k1");
    h.put("crit", List.of("exp"));
    denied(verifier, token(h, claims(T0), K1), Reason.GRANT_INVALID, "crit");
  }

  @Test
  void refusesWrongIssuer() {
    Map<String, Object> c = claims(T0);
    c.put("iss", "https://other.test");
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID,
        "grant iss 'https://other.test'", ISSUER);
  }

  @Test
  void refusesWrongAudience() {
    Map<String, Object> c = claims(T0);
    c.put("aud", "control-plane");
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID,
        "grant aud must be airlock-data-plane", "control-plane");
  }

  @Test
  void expiredBeyondLeewayIsGrantExpired() {
    Map<String, Object> c = claims(T0.minus(Duration.ofMinutes(20)));
    c.put("exp", T0.minusSeconds(31).getEpochSecond());
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_EXPIRED,
        "grant expired at " + T0.minusSeconds(31));
  }

  @Test
  void expiredWithinLeewayIsAccepted() {
    Map<String, Object> c = claims(T0.minus(Duration.ofMinutes(20)));
    c.put("exp", T0.minusSeconds(29).getEpochSecond());
    assertThat(verifier.verify(token(header("k1"), c, K1)).expiresAt())
        .isEqualTo(T0.minusSeconds(29));
  }

  @Test
  void notBeforeBeyondLeewayIsRefused() {
    Map<String, Object> c = claims(T0);
    c.put("nbf", T0.plusSeconds(31).getEpochSecond());
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID,
        "grant is not valid before " + T0.plusSeconds(31));
  }

  @Test
  void notBeforeWithinLeewayIsAccepted() {
    Map<String, Object> c = claims(T0);
    c.put("nbf", T0.plusSeconds(29).getEpochSecond());
    assertThat(verifier.verify(token(header("k1"), c, K1)).notBefore())
        .isEqualTo(T0.plusSeconds(29));
  }

  @ParameterizedTest
  @ValueSource(strings = {"iat", "jti", "sub", "nbf", "exp", "ticket", "clients", "actions", "epoch"})
  void refusesMissingRequiredClaim(String claim) {
    Map<String, Object> c = claims(T0);
    c.remove(claim);
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID,
        "grant is missing required claims", claim);
  }

  @Test
  void refusesTamperedPayload() {
    String[] parts = good().split("\\.");
    Map<String, Object> c = claims(T0);
    c.put("clients", List.of("c-0001", "c-0002", "c-9999"));
    denied(verifier, parts[0] + "." + b64(c) + "." + parts[2], Reason.GRANT_INVALID,
        "grant signature does not verify with kid 'k1'");
  }

  @Test
  void refusesTamperedSignature() {
    String[] parts = good().split("\\.");
    byte[] sig = Base64URL.from(parts[2]).decode();
    sig[10] ^= 0x01;
    denied(verifier, parts[0] + "." + parts[1] + "." + Base64URL.encode(sig), Reason.GRANT_INVALID,
        "grant signature does not verify");
  }

  @Test
  void refusesTruncatedToken() {
    String t = good();
    denied(verifier, t.substring(0, t.length() - 10), Reason.GRANT_INVALID, "signature");
    denied(verifier, t.substring(0, t.lastIndexOf('.')), Reason.GRANT_INVALID,
        "three dot-separated parts");
  }

  @Test
  void refuses100KbTokenBeforeParsing() {
    String huge = good() + "A".repeat(100 * 1024);
    denied(verifier, huge, Reason.GRANT_INVALID, "longer than 8192 characters");
  }

  @Test
  void refusesNonCanonicalBase64InSignature() {
    String t = good();
    // 64 bytes take 86 characters with 4 spare low bits in the last one; setting one keeps the
    // decoded bytes (and so the ECDSA result) identical: only the canonical check can see it.
    char last = t.charAt(t.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char twin = alphabet.charAt(alphabet.indexOf(last) | 1);
    String spelled = t.substring(0, t.length() - 1) + twin;
    assertThat(Base64URL.from(spelled.substring(spelled.lastIndexOf('.') + 1)).decode())
        .isEqualTo(Base64URL.from(t.substring(t.lastIndexOf('.') + 1)).decode());
    denied(verifier, spelled, Reason.GRANT_INVALID, "grant signature is not canonical base64url");
  }

  @Test
  void refusesPaddingAndForeignCharacters() {
    String[] p = good().split("\\.");
    denied(verifier, p[0] + "==." + p[1] + "." + p[2], Reason.GRANT_INVALID,
        "grant header is not base64url");
    denied(verifier, p[0] + "." + p[1] + "." + p[2].replace('-', '+').replace('_', '/') + "+",
        Reason.GRANT_INVALID, "grant signature is not base64url");
  }

  @Test
  void refusesEmptyClients() {
    Map<String, Object> c = claims(T0);
    c.put("clients", List.of());
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID,
        "grant clients must name at least one client");
  }

  @Test
  void refusesClientsThatAreNotStrings() {
    Map<String, Object> c = claims(T0);
    c.put("clients", List.of(1, 2));
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID, "grant clients");
  }

  @Test
  void refusesUnmaskSecret() {
    Map<String, Object> c = claims(T0);
    c.put("unmask", List.of("email", "secret"));
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID,
        "grant unmask can never contain secret");
  }

  @Test
  void refusesUnknownActionAndFieldClass() {
    Map<String, Object> c = claims(T0);
    c.put("actions", List.of("read", "delete"));
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID, "'delete'");
    c = claims(T0);
    c.put("unmask", List.of("EMAIL"));
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID, "unknown field class");
  }

  @Test
  void refusesLifetimeOverAnHour() {
    Map<String, Object> c = claims(T0);
    c.put("exp", T0.plus(Duration.ofMinutes(61)).getEpochSecond());
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID, "lifetime exceeds");
  }

  /**
   * Nimbus turns seconds into a Date by multiplying by 1000, which overflows: an exp of
   * now - 2^64/1000 reads as "10 minutes from now" there while the grant was dated 584 million
   * years ago. Signed with a key that signs from the beginning (no lower bound on iat), such a
   * grant must still be refused: it would otherwise never expire.
   */
  @Test
  void refusesTimesThatOverflowMillisecondsWhateverNimbusReadsThemAs() {
    long wrap = 18_446_744_073_709_552L; // 2^64 / 1000, rounded up
    Map<String, Object> c = claims(T0);
    long exp = T0.getEpochSecond() + 600 - wrap;
    c.put("exp", exp);
    c.put("iat", exp - 900);
    c.put("nbf", exp - 900);
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID, "is not a time between 1970 and 9999");
    for (String claim : List.of("iat", "nbf", "exp")) {
      Map<String, Object> big = claims(T0);
      big.put(claim, Long.MAX_VALUE / 1000 + 1);
      denied(verifier, token(header("k1"), big, K1), Reason.GRANT_INVALID, claim);
      Map<String, Object> negative = claims(T0);
      negative.put(claim, -1L);
      denied(verifier, token(header("k1"), negative, K1), Reason.GRANT_INVALID, claim);
    }
  }

  @Test
  void refusesDuplicateClaimNames() {
    String payload = "{\"sub\":\"alice\",\"sub\":\"mallory\"}";
    String input = b64(header("k1")) + "."
        + Base64URL.encode(payload.getBytes(StandardCharsets.UTF_8));
    denied(verifier, signed(input, K1), Reason.GRANT_INVALID, "duplicate name");
  }

  @Test
  void previousKidVerifiesWhileConfiguredAndNotAfter() {
    String fromOldKey = token(header("k1"), claims(T0), K1);
    GrantVerifier rotated = GrantFixtures.verifier(clock, K2, K1);
    assertThat(rotated.verify(fromOldKey).agent()).isEqualTo("alice");

    GrantVerifier retired = GrantFixtures.verifier(clock, K2);
    denied(retired, fromOldKey, Reason.GRANT_INVALID, "unknown kid 'k1'");
  }

  @Test
  void signedByTheWrongKeyUnderAKnownKidIsRefused() {
    denied(verifier, token(header("k1"), claims(T0), K2), Reason.GRANT_INVALID,
        "grant signature does not verify");
  }

  @Test
  void highSTwinIsAcceptedWhichIsWhyIdentityIsTheJti() {
    String[] p = good().split("\\.");
    byte[] sig = Base64URL.from(p[2]).decode();
    BigInteger n = new BigInteger(
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    byte[] twinS = n.subtract(s).toByteArray();
    byte[] twin = Arrays.copyOf(sig, 64);
    Arrays.fill(twin, 32, 64, (byte) 0);
    int len = Math.min(32, twinS.length);
    System.arraycopy(twinS, twinS.length - len, twin, 64 - len, len);
    String other = p[0] + "." + p[1] + "." + Base64URL.encode(twin);

    assertThat(other).isNotEqualTo(good());
    assertThat(verifier.verify(other).jti()).isEqualTo(verifier.verify(good()).jti());
  }

  @Test
  void signerRefusesOutOfPolicyClaims() {
    Duration tooLong = Duration.ofMinutes(61);
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> new GrantClaims("a", "T", List.of("c"), Set.of(Action.READ), Set.of(),
            null, List.of(), 0, tooLong))
        .withMessageContaining("ttl");
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> new GrantClaims("a", "T", List.of(), Set.of(Action.READ), Set.of(),
            null, List.of(), 0, Duration.ofMinutes(1)))
        .withMessageContaining("clients");
  }

  @Test
  void iatFarInTheFutureIsRefused() {
    Instant later = T0.plus(Duration.ofMinutes(5));
    Map<String, Object> c = claims(later);
    c.put("nbf", T0.getEpochSecond());
    denied(verifier, token(header("k1"), c, K1), Reason.GRANT_INVALID, "iat", "in the future");
  }
}
