package io.airlock.gateway.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.SigningSchedule;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Real keys, a hand-settable time source, and a way to sign any header/claims bytes. */
final class GrantFixtures {
  static final String ISSUER = "https://airlock.test";
  static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");
  static final Duration LEEWAY = Duration.ofSeconds(30);
  static final ObjectMapper JSON = new ObjectMapper();

  // Key generation costs a few ms; every test can share these two.
  static final ECKey K1 = generate("k1");
  static final ECKey K2 = generate("k2");

  private GrantFixtures() {}

  static ECKey generate(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static GrantsConfig config(int maxFailures) {
    return new GrantsConfig(ISSUER, "k1", List.of(), Optional.empty(), LEEWAY, 1000, maxFailures);
  }

  static GrantVerifier verifier(Clock clock, ECKey... keys) {
    return verifier(clock, kid -> {}, keys);
  }

  static GrantVerifier verifier(
      Clock clock, java.util.function.Consumer<String> hook, ECKey... keys) {
    Map<String, ECKey> byKid = new LinkedHashMap<>();
    for (ECKey k : keys) {
      byKid.put(k.getKeyID(), k.toPublicJWK());
    }
    return new GrantVerifier(ISSUER, LEEWAY, byKid, firstSignsAlways(keys[0]), clock, Optional.empty(), hook);
  }

  /** {@code key} is activeKid; any other key is outside the schedule, so no kid's grants are bounded by a window. */
  static SigningSchedule firstSignsAlways(ECKey key) {
    return new SigningSchedule(List.of(new SigningSchedule.Activation(key.getKeyID(), SigningSchedule.ALWAYS)));
  }

  /** Header as the signer writes it. */
  static Map<String, Object> header(String kid) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alg", "ES256");
    h.put("typ", "airlock-grant+jwt");
    h.put("kid", kid);
    return h;
  }

  /** Claims as the signer writes them, issued at {@code iat} for 15 minutes. */
  static Map<String, Object> claims(Instant iat) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("iss", ISSUER);
    c.put("aud", "airlock-data-plane");
    c.put("sub", "alice");
    c.put("jti", "AAECAwQFBgcICQoLDA0ODw");
    c.put("iat", iat.getEpochSecond());
    c.put("nbf", iat.getEpochSecond());
    c.put("exp", iat.plus(Duration.ofMinutes(15)).getEpochSecond());
    c.put("ticket", "SUP-1234");
    c.put("clients", List.of("c-0001", "c-0002"));
    c.put("actions", List.of("read"));
    c.put("unmask", List.of("email"));
    c.put("req", "r-1");
    c.put("apr", List.of("maria"));
    c.put("epoch", 3);
    return c;
  }

  static String b64(Object json) {
    try {
      return Base64URL.encode(JSON.writeValueAsBytes(json)).toString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token with exactly this header and these claims, ES256-signed by {@code key}. */
  static String token(Map<String, Object> header, Map<String, Object> claims, ECKey key) {
    return signed(b64(header) + "." + b64(claims), key);
  }

  static String signed(String signingInput, ECKey key) {
    try {
      Base64URL sig =
          new ECDSASigner(key)
              .sign(new JWSHeader(JWSAlgorithm.ES256), signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + sig;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The refusal, checked for its reason, a message naming the problem, and no key material. */
  static Denied denied(GrantVerifier verifier, String token, Reason reason, String... fragments) {
    Denied d = catchThrowableOfType(Denied.class, () -> verifier.verify(token));
    assertThat(d).as("refused").isNotNull();
    assertThat(d.reason()).isEqualTo(reason);
    assertThat(d.getMessage()).contains(fragments);
    for (ECKey k : List.of(K1, K2)) {
      assertThat(d.getMessage()).doesNotContain(k.getD().toString(), k.getX().toString());
    }
    return d;
  }

  /** One time source for both the clock the code reads and the ticker Caffeine reads. */
  static final class ManualTime extends Clock implements Ticker {
    private volatile Instant now;
    private volatile long nanos;

    ManualTime(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
      nanos += d.toNanos();
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public long read() {
      return nanos;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
