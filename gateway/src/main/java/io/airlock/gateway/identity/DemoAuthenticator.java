package io.airlock.gateway.identity;

import io.airlock.gateway.grant.TokenTimes;

import static io.airlock.gateway.identity.Unauthenticated.shown;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.airlock.gateway.grant.Es256Signature;
import io.airlock.policy.config.ListenerConfig;
import io.airlock.policy.staff.Staff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code identity.mode: demo}: whoever can reach the control plane picks a user from {@code
 * users.yaml} and gets a staff token for them. That is only tolerable where nobody but this
 * machine can reach it, so construction refuses any non-loopback control-plane host (the config
 * loader refuses it too).
 *
 * <p>Staff tokens are ES256 JWS with {@code typ: airlock-staff+jwt} and {@code aud:
 * airlock-control-plane}, signed with a key generated in memory at start-up and never used for
 * anything else (a restart logs everyone out, which is fine for a demo). A grant differs in
 * both {@code typ} and {@code aud}, and each verifier insists on its own, so neither token can
 * stand in for the other even if the two keys were the same. Verification is as strict as the
 * grant verifier's: exact header (alg, typ, kid, nothing else), iss, aud, iat/nbf/exp with 30 s
 * leeway, and a lifetime no longer than {@link #TOKEN_TTL}. Roles and teams are read from
 * {@code users.yaml} at verification, not from the token.
 */
public final class DemoAuthenticator implements StaffAuthenticator, AutoCloseable {
  public static final String TYPE = "airlock-staff+jwt";
  public static final String AUDIENCE = "airlock-control-plane";
  public static final Duration TOKEN_TTL = Duration.ofHours(8);
  public static final Duration LEEWAY = Duration.ofSeconds(30);
  static final int MAX_TOKEN_CHARS = 4 * 1024;

  private static final String WHAT = "staff token";
  private static final Set<String> HEADER_PARAMS = Set.of("alg", "typ", "kid");
  private static final Set<String> CLAIMS = Set.of("iss", "aud", "sub", "iat", "nbf", "exp", "jti");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DemoUsers users;
  private final String issuer;
  private final Clock clock;
  private final String kid;
  private final ECDSASigner signer;
  private final Es256Signature signature;
  private final VerifiedTokens verified;

  DemoAuthenticator(
      Vertx vertx, DemoUsers users, ListenerConfig controlPlane, String issuer, Clock clock, ECKey key) {
    Objects.requireNonNull(controlPlane, "controlPlane");
    if (!Loopback.isLoopback(controlPlane.host())) {
      throw new IllegalStateException(
          "demo identity lets anyone choose who they are, so it needs a loopback controlPlane.host"
              + " (127.0.0.1, ::1 or localhost), got '" + controlPlane.host()
              + "'; use identity.mode: oidc for anything reachable from other machines");
    }
    this.users = Objects.requireNonNull(users, "users");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.kid = key.getKeyID();
    try {
      this.signer = new ECDSASigner(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("staff-token key cannot sign: " + e.getMessage(), e);
    }
    this.signature = Es256Signature.forKey(key.toPublicJWK(), Optional.empty());
    this.verified = new VerifiedTokens(vertx, "airlock-staff-verify", clock);
  }

  /**
   * @param controlPlane where the control plane listens: must be loopback
   * @param issuer the {@code iss} of staff tokens (the control plane's URL)
   * @throws IllegalStateException when the control plane is not bound to loopback
   */
  public static DemoAuthenticator create(
      Vertx vertx, DemoUsers users, ListenerConfig controlPlane, String issuer, Clock clock) {
    return new DemoAuthenticator(vertx, users, controlPlane, issuer, clock, generateKey());
  }

  static ECKey generateKey() {
    try {
      byte[] id = new byte[6];
      RANDOM.nextBytes(id);
      return new ECKeyGenerator(Curve.P_256)
          .keyID("staff-" + HexFormat.of().formatHex(id))
          .keyUse(KeyUse.SIGNATURE)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate the staff-token key", e);
    }
  }

  /** A token for the user whose id normalises like {@code user}, or empty if there is none. */
  public Optional<StaffToken> login(String user) {
    return users.find(user).map(staff -> {
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      Instant exp = now.plus(TOKEN_TTL);
      return new StaffToken(sign(staff.id(), now, exp), staff, exp);
    });
  }

  /** Signs a token for any subject, known or not (tests forge with it). */
  String sign(String subject, Instant iat, Instant exp) {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(AUDIENCE)
            .subject(subject)
            .jwtID(HexFormat.of().formatHex(id))
            .issueTime(Date.from(iat))
            .notBeforeTime(Date.from(iat))
            .expirationTime(Date.from(exp))
            .build();
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(TYPE)).keyID(kid).build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a staff token failed", e);
    }
    return jwt.serialize();
  }

  @Override
  public Future<Staff> authenticate(String token) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(new Unauthenticated("no staff token"));
    }
    Staff hit = verified.cached(token);
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    CompactToken t;
    Staff staff;
    Instant exp;
    try {
      t = CompactToken.parse(token, MAX_TOKEN_CHARS, WHAT, List.of("ES256"));
      checkHeader(t);
      exp = checkClaims(t);
      String sub = (String) t.claimsJson().get("sub");
      staff = users.find(sub).orElseThrow(() -> new Unauthenticated(
          WHAT + " names " + shown(sub) + ", who is not a demo user"));
    } catch (Unauthenticated e) {
      return Future.failedFuture(e);
    }
    byte[] input = t.signingInput();
    byte[] sig = t.signature().decode();
    return verified
        .offload(token, () -> {
          if (!signature.verify(input, sig)) {
            throw new Unauthenticated(WHAT + " signature does not verify");
          }
          return staff;
        })
        .onSuccess(s -> verified.remember(token, s, exp));
  }

  private void checkHeader(CompactToken t) {
    Map<String, Object> h = t.headerJson();
    if (!TYPE.equals(h.get("typ"))) {
      throw new Unauthenticated(WHAT + " typ must be " + TYPE + ", got " + shown(h.get("typ")));
    }
    for (String name : h.keySet()) {
      if (!HEADER_PARAMS.contains(name)) {
        throw new Unauthenticated(
            WHAT + " header must not carry " + shown(name) + " (only alg, typ and kid)");
      }
    }
    if (!kid.equals(h.get("kid"))) {
      // a restart generates a new key: tokens from before it end here
      throw new Unauthenticated(WHAT + " kid " + shown(h.get("kid"))
          + " is not this node's staff-token key (log in again)");
    }
  }

  /** @return when the token stops being accepted (exp plus leeway) */
  private Instant checkClaims(CompactToken t) {
    Map<String, Object> c = t.claimsJson();
    for (String name : c.keySet()) {
      if (!CLAIMS.contains(name)) {
        throw new Unauthenticated(WHAT + " carries unexpected claim " + shown(name));
      }
    }
    if (!issuer.equals(c.get("iss"))) {
      throw new Unauthenticated(WHAT + " iss must be " + shown(issuer) + ", got " + shown(c.get("iss")));
    }
    Object aud = c.get("aud");
    boolean audOk = AUDIENCE.equals(aud) || (aud instanceof List<?> l && l.equals(List.of(AUDIENCE)));
    if (!audOk) {
      throw new Unauthenticated(WHAT + " aud must be " + AUDIENCE + ", got " + shown(aud));
    }
    if (!(c.get("sub") instanceof String)) {
      throw new Unauthenticated(WHAT + " has no sub");
    }
    Instant iat = seconds(c, "iat");
    Instant nbf = seconds(c, "nbf");
    Instant exp = seconds(c, "exp");
    Instant now = clock.instant();
    if (!now.isBefore(exp.plus(LEEWAY))) {
      throw new Unauthenticated(WHAT + " expired at " + exp + " (now " + now + "); log in again");
    }
    if (nbf.isAfter(now.plus(LEEWAY)) || iat.isAfter(now.plus(LEEWAY))) {
      throw new Unauthenticated(WHAT + " is not valid yet (iat " + iat + ", nbf " + nbf + ")");
    }
    if (!exp.isAfter(iat) || Duration.between(iat, exp).compareTo(TOKEN_TTL) > 0) {
      throw new Unauthenticated(WHAT + " lifetime must be positive and at most "
          + TOKEN_TTL.toHours() + " h");
    }
    return exp.plus(LEEWAY);
  }

  private static Instant seconds(Map<String, Object> c, String name) {
    Object v = c.get(name);
    if (!(v instanceof Integer || v instanceof Long)) {
      throw new Unauthenticated(WHAT + " " + name + " must be an integer number of seconds");
    }
    if (!TokenTimes.inRange(v)) {
      throw new Unauthenticated(WHAT + " " + name + " " + v + " is not a time between 1970 and 9999");
    }
    return Instant.ofEpochSecond(((Number) v).longValue());
  }

  /** The users a login may name (for error messages in the demo). */
  public List<String> userIds() {
    return users.all().stream().map(Staff::id).toList();
  }

  @Override
  public void close() {
    verified.close();
  }
}
