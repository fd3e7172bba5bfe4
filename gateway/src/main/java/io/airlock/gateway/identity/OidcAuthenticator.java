package io.airlock.gateway.identity;

import io.airlock.gateway.grant.TokenTimes;

import static io.airlock.gateway.identity.Unauthenticated.shown;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.airlock.policy.staff.StaffId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.Key;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code identity.mode: oidc}: accepts the company identity provider's JWT (access or ID token)
 * as a staff token.
 *
 * <p>Checks, cheapest first: size and shape, header (alg on the configured allow-list, which
 * never holds {@code none} or HMAC; {@code typ} absent, {@code JWT} or {@code at+jwt}, so
 * Airlock's own grant and staff tokens are refused by type; no {@code crit}, {@code jwk},
 * {@code jku}, {@code x5u}, {@code x5c}; a kid), claims ({@code iss} exact, {@code aud} contains
 * the configured audience, {@code exp}, {@code iat} and the user claim present, {@code exp} and
 * {@code nbf} with 30 s leeway, {@code iat} not in the future), the user id normalised, then the
 * key for the kid (see {@link JwksKeys}) and last the signature, on a worker thread. Tokens that
 * passed are remembered until their exp, so the signature is checked once per token, not per
 * API call.
 */
public final class OidcAuthenticator implements StaffAuthenticator, AutoCloseable {
  public static final Duration LEEWAY = Duration.ofSeconds(30);
  /** An unknown kid fetches the key set again at most this often. */
  public static final Duration MIN_UNKNOWN_KID_REFETCH = Duration.ofSeconds(30);
  /** Identity-provider tokens with many groups get large, but not this large. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;

  // RFC 9068 access tokens say at+jwt; most providers say JWT or nothing. Anything else is
  // some other kind of token, Airlock's own grants and staff tokens included.
  private static final Set<String> ACCEPTED_TYPES =
      Set.of("jwt", "at+jwt", "application/jwt", "application/at+jwt");
  private static final String WHAT = "staff token";

  private final Vertx vertx;
  private final OidcConfig config;
  private final Clock clock;
  private final VerifiedTokens verified;
  private final JwksKeys keys;
  private final DefaultJWTClaimsVerifier<?> claimsVerifier;

  OidcAuthenticator(Vertx vertx, OidcConfig config, Clock clock, Duration minUnknownKidRefetch) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    for (String a : config.algorithms()) {
      if (OidcConfig.isForbidden(a)) {
        // the config record already refuses these; a second lock on the door that matters most
        throw new IllegalArgumentException("identity.oidc.algorithms may never contain " + a);
      }
    }
    this.verified = new VerifiedTokens(vertx, "airlock-staff-verify", clock);
    this.keys =
        new JwksKeys(
            vertx, config.jwksUri(), config.jwksRefresh(), minUnknownKidRefetch, clock,
            verified::forgetAll);
    Set<String> required = new LinkedHashSet<>(List.of("iss", "aud", "exp", "iat"));
    required.add(config.userClaim());
    this.claimsVerifier =
        new ClockedClaimsVerifier(config.audience(), config.issuer(), required, clock);
    this.claimsVerifier.setMaxClockSkew((int) LEEWAY.toSeconds());
  }

  /**
   * Builds the authenticator and fetches the key set once. A provider that cannot be reached
   * now does not stop the node: the fetch is retried on the timer and on the first token.
   */
  public static Future<OidcAuthenticator> start(Vertx vertx, OidcConfig config, Clock clock) {
    OidcAuthenticator a = new OidcAuthenticator(vertx, config, clock, MIN_UNKNOWN_KID_REFETCH);
    return a.keys.refresh().map(a);
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
    Prechecked p;
    try {
      p = precheck(token);
    } catch (Unauthenticated e) {
      return Future.failedFuture(e);
    }
    Context context = vertx.getOrCreateContext();
    return keys.keyFor(p.token().kid(), p.token().header().getAlgorithm(), context)
        .compose(key -> verified.offload(token, () -> checkSignature(p, key)))
        .onSuccess(staff -> verified.remember(token, staff, p.expiresAt()));
  }

  private record Prechecked(CompactToken token, Staff staff, Instant expiresAt) {}

  /** Everything but the key and the signature; microseconds, so on the calling thread. */
  private Prechecked precheck(String text) {
    CompactToken t = CompactToken.parse(text, MAX_TOKEN_CHARS, WHAT, config.algorithms());
    Object typ = t.headerJson().get("typ");
    if (typ != null
        && !(typ instanceof String s && ACCEPTED_TYPES.contains(s.toLowerCase(Locale.ROOT)))) {
      throw new Unauthenticated(
          WHAT + " typ must be JWT or at+jwt (an identity-provider token), got " + shown(typ));
    }
    String kid = t.kid();
    if (kid == null || kid.isEmpty()) {
      throw new Unauthenticated(WHAT + " header has no kid");
    }
    for (String time : List.of("iat", "nbf", "exp")) {
      Object v = t.claimsJson().get(time);
      if (v != null && !TokenTimes.inRange(v)) {
        throw new Unauthenticated(WHAT + " " + time + " " + shown(v) + " is not a time between 1970 and 9999");
      }
    }
    JWTClaimsSet claims = t.claims();
    try {
      claimsVerifier.verify(claims, null);
    } catch (ExpiredJWTException e) {
      throw new Unauthenticated(WHAT + " expired at " + claims.getExpirationTime().toInstant()
          + " (now " + clock.instant() + ")");
    } catch (BadJWTException e) {
      throw new Unauthenticated(describe(e, claims));
    }
    Instant now = clock.instant();
    Instant iat = claims.getIssueTime().toInstant();
    Instant exp = claims.getExpirationTime().toInstant();
    if (iat.isAfter(now.plus(LEEWAY))) {
      throw new Unauthenticated(WHAT + " iat " + iat + " is in the future (now " + now + ")");
    }
    if (!exp.isAfter(iat)) {
      throw new Unauthenticated(WHAT + " exp must be after iat");
    }
    return new Prechecked(t, staff(t.claimsJson()), exp.plus(LEEWAY));
  }

  private Staff checkSignature(Prechecked p, JWK jwk) throws JOSEException {
    Key key = jwk instanceof RSAKey rsa ? rsa.toRSAPublicKey() : ((ECKey) jwk).toECPublicKey();
    JWSVerifier verifier = new DefaultJWSVerifierFactory().createJWSVerifier(p.token().header(), key);
    if (!verifier.verify(p.token().header(), p.token().signingInput(), p.token().signature())) {
      throw new Unauthenticated(
          WHAT + " signature does not verify with kid " + shown(p.token().kid()));
    }
    return p.staff();
  }

  private Staff staff(Map<String, Object> claims) {
    Object user = claims.get(config.userClaim());
    if (!(user instanceof String u)) {
      throw new Unauthenticated(WHAT + " claim " + shown(config.userClaim()) + " must be a string");
    }
    String id = StaffId.normalize(u).orElseThrow(() -> new Unauthenticated(
        WHAT + " claim " + shown(config.userClaim()) + " is not a usable staff id: " + shown(u)
            + " (after NFKC and lower-casing only a-z, 0-9, '.', '_', '@' and '-' are allowed)"));
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String r : strings(claims, config.rolesClaim())) {
      // values meant for other applications share the claim: they are not ours to judge
      Role.parse(r).ifPresent(roles::add);
    }
    Set<String> teams = new LinkedHashSet<>();
    for (String team : strings(claims, config.teamsClaim())) {
      String n = Normalizer.normalize(team, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
      if (!n.isEmpty() && n.length() <= 128) {
        teams.add(n);
      }
    }
    return new Staff(id, roles, teams);
  }

  /** An absent claim is an empty list; a single string is a list of one (some providers). */
  private static List<String> strings(Map<String, Object> claims, String name) {
    Object v = claims.get(name);
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      return List.of(s);
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>(list.size());
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new Unauthenticated(WHAT + " claim " + shown(name) + " must be an array of strings");
        }
        out.add(s);
      }
      return out;
    }
    throw new Unauthenticated(WHAT + " claim " + shown(name) + " must be an array of strings");
  }

  private String describe(BadJWTException e, JWTClaimsSet claims) {
    String m = String.valueOf(e.getMessage());
    if (m.startsWith("JWT missing required claims")) {
      return WHAT + " is missing required claims" + m.substring("JWT missing required claims".length());
    }
    if (m.contains(" aud ")) {
      return WHAT + " aud must contain " + shown(config.audience()) + ", got "
          + shown(claims.getAudience());
    }
    if (m.contains(" iss ")) {
      return WHAT + " iss " + shown(claims.getIssuer()) + " is not the identity provider "
          + shown(config.issuer());
    }
    if (m.contains("before use time")) {
      return WHAT + " is not valid before " + claims.getNotBeforeTime().toInstant();
    }
    return WHAT + " claims rejected: " + shown(m);
  }

  /** Kids currently known (tests and diagnostics). */
  Set<String> knownKids() {
    return keys.kids();
  }

  @Override
  public void close() {
    keys.close();
    verified.close();
  }

  /** Nimbus reads {@code new Date()}; tokens are judged by the injected clock. */
  private static final class ClockedClaimsVerifier
      extends DefaultJWTClaimsVerifier<com.nimbusds.jose.proc.SecurityContext> {
    private final Clock clock;

    ClockedClaimsVerifier(String audience, String issuer, Set<String> required, Clock clock) {
      super(audience, new JWTClaimsSet.Builder().issuer(issuer).build(), required);
      this.clock = clock;
    }

    @Override
    protected Date currentTime() {
      return Date.from(clock.instant());
    }
  }
}
