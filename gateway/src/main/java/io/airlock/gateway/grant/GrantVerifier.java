package io.airlock.gateway.grant;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.SigningSchedule;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Action;
import io.airlock.policy.grant.Grant;
import io.airlock.policy.mask.FieldClass;
import java.io.IOException;
import java.security.Key;
import java.security.Provider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Verifies grant tokens (DESIGN.md "Grant", data plane step 3). Pure and synchronous.
 *
 * <p>Every check that costs microseconds runs before the one that costs a millisecond: size,
 * shape and canonical base64url, header (typ, alg, crit, forbidden parameters, kid), claims
 * (iss, aud, required, exp/nbf with the configured leeway, values), and only then the ECDSA
 * signature. {@link GrantGate} relies on that split to keep the signature off the event loop.
 * After the signature, the grant's {@code iat} must lie in its kid's signing window (see {@link
 * SigningSchedule}), widened by the leeway: this compares the grant's own date with configured
 * instants, never with this node's clock, so skew between nodes changes nothing.
 *
 * <p>Nimbus is used piece by piece rather than through {@code DefaultJWTProcessor}, whose order
 * is signature before claims; each piece is configured away from its defaults (typ, clock skew,
 * required claims).
 */
public final class GrantVerifier {
  /** Real grants are well under 1 KB; anything this size is refused before any parsing. */
  public static final int MAX_TOKEN_CHARS = 8 * 1024;

  static final int ES256_SIGNATURE_BYTES = 64;
  private static final Set<String> ALLOWED_HEADER_PARAMS = Set.of("alg", "typ", "kid");
  private static final Set<String> REQUIRED_CLAIMS =
      Set.of("iss", "aud", "sub", "jti", "iat", "nbf", "exp", "ticket", "clients", "actions",
          "epoch");

  // Duplicate names are refused: two parsers reading different values of one claim is a classic
  // way around a verifier.
  private static final ObjectMapper JSON =
      new ObjectMapper(
              JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final String issuer;
  private final Duration leeway;
  private final Clock clock;
  private final DefaultJOSEObjectTypeVerifier<SecurityContext> typeVerifier =
      new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType(GrantSigner.TYPE));
  private final JWSVerificationKeySelector<SecurityContext> keySelector;
  private final DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier;
  private final Map<String, Es256Signature> signatures;
  // kids outside the schedule have no entry: the config does not say when they signed
  private final Map<String, List<SigningSchedule.Window>> windows;
  private final Consumer<String> beforeSignature;

  /**
   * @param publicKeys verification keys by kid: the active one and previous ones
   * @param schedule when each kid signs; a kid's grants verify only if dated in its window
   * @param jcaProvider a faster provider for ECDSA (e.g. ACCP); empty = the JDK's (SunEC)
   */
  public GrantVerifier(
      String issuer,
      Duration leeway,
      Map<String, ECKey> publicKeys,
      SigningSchedule schedule,
      Clock clock,
      Optional<Provider> jcaProvider) {
    this(issuer, leeway, publicKeys, schedule, clock, jcaProvider, kid -> {});
  }

  /** {@code beforeSignature} sees the kid of every ECDSA verification about to run (tests). */
  GrantVerifier(
      String issuer,
      Duration leeway,
      Map<String, ECKey> publicKeys,
      SigningSchedule schedule,
      Clock clock,
      Optional<Provider> jcaProvider,
      Consumer<String> beforeSignature) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.leeway = Objects.requireNonNull(leeway, "leeway");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.beforeSignature = Objects.requireNonNull(beforeSignature, "beforeSignature");
    if (leeway.isNegative() || leeway.compareTo(Duration.ofSeconds(30)) > 0) {
      throw new IllegalArgumentException("grant leeway must be between 0 and 30 s, got " + leeway);
    }
    if (publicKeys.isEmpty()) {
      throw new IllegalArgumentException("at least one grant verification key is needed");
    }
    List<JWK> jwks = new ArrayList<>();
    Map<String, Es256Signature> sigs = new HashMap<>();
    publicKeys.forEach((kid, key) -> {
      ECKey pub = key.toPublicJWK();
      if (!kid.equals(pub.getKeyID())) {
        throw new IllegalArgumentException("key under kid '" + kid + "' says kid " + pub.getKeyID());
      }
      jwks.add(pub);
      sigs.put(kid, Es256Signature.forKey(pub, jcaProvider));
    });
    this.signatures = Map.copyOf(sigs);
    Map<String, List<SigningSchedule.Window>> w = new HashMap<>();
    publicKeys.keySet().forEach(kid -> {
      List<SigningSchedule.Window> own = schedule.windows(kid);
      if (!own.isEmpty()) {
        w.put(kid, own);
      }
    });
    this.windows = Map.copyOf(w);
    // ES256 only: the allow-list is what stops HS256-with-the-public-key and alg confusion.
    this.keySelector =
        new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(new JWKSet(jwks)));
    this.claimsVerifier = new ClockedClaimsVerifier(issuer, clock);
    this.claimsVerifier.setMaxClockSkew((int) leeway.toSeconds());
  }

  /** Over every key in {@code keys} (active and previous), with the JDK's ECDSA provider. */
  public GrantVerifier(SigningKeys keys, String issuer, Duration leeway, Clock clock) {
    this(issuer, leeway, keys.publicKeys(), keys.schedule(), clock, Optional.empty());
  }

  /** The verifier {@code grants.*} describes, over every configured key. */
  public static GrantVerifier create(
      GrantsConfig config, SigningKeys keys, Clock clock, Optional<Provider> jcaProvider) {
    return new GrantVerifier(
        config.issuer(), config.leeway(), keys.publicKeys(), keys.schedule(), clock, jcaProvider);
  }

  /**
   * @return the verified grant
   * @throws Denied {@link Reason#GRANT_EXPIRED} when exp is past beyond the leeway, otherwise
   *     {@link Reason#GRANT_INVALID} with a message naming what is wrong
   */
  public Grant verify(String token) throws Denied {
    return checkSignature(precheck(token));
  }

  /** Everything but the signature; cheap enough for the event loop. */
  Prechecked precheck(String token) throws Denied {
    CompactJws jws;
    try {
      jws = CompactJws.parse(token, MAX_TOKEN_CHARS);
    } catch (CompactJws.Malformed e) {
      throw invalid(e.getMessage());
    }
    try {
      String kid = checkHeader(jws);
      Grant grant = checkClaims(jws.payload());
      return new Prechecked(grant, kid, jws);
    } catch (Denied d) {
      throw d;
    } catch (RuntimeException e) {
      // A parser corner we did not foresee must still end as a refusal, never a 500.
      throw invalid("grant is malformed (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * The ECDSA step: about a millisecond on SunEC, so off the event loop. The signing window comes
   * after it, so a token forged without the key learns nothing about the schedule.
   */
  Grant checkSignature(Prechecked p) throws Denied {
    beforeSignature.accept(p.kid());
    if (!signatures.get(p.kid()).verify(p.jws().signingInput(), p.jws().signature())) {
      throw invalid("grant signature does not verify with kid " + shown(p.kid()));
    }
    Instant iat = p.grant().issuedAt();
    List<SigningSchedule.Window> own = windows.get(p.kid());
    if (own != null && own.stream().noneMatch(w -> w.admits(iat, leeway))) {
      // a configured kid, so safe to name; a key used outside its turn is stolen or mis-deployed
      throw invalid("grant kid " + p.kid() + " did not sign at iat " + iat + ": it signs "
          + own.stream().map(SigningSchedule.Window::toString).collect(Collectors.joining(", "))
          + " (± grants.leeway " + leeway.toSeconds() + " s)");
    }
    return p.grant();
  }

  /** A grant whose every cheap check passed, waiting for its signature check. */
  record Prechecked(Grant grant, String kid, CompactJws jws) {}

  private String checkHeader(CompactJws jws) {
    Map<String, Object> h = parseObject(jws.header(), "header");
    Object typ = h.get("typ");
    if (!(typ instanceof String typText)) {
      throw invalid("grant typ must be " + GrantSigner.TYPE
          + (typ == null ? " (typ is missing)" : " (typ is not a string)"));
    }
    try {
      typeVerifier.verify(new JOSEObjectType(typText), null);
    } catch (BadJOSEException e) {
      throw invalid("grant typ must be " + GrantSigner.TYPE + ", got " + shown(typText));
    }
    Object alg = h.get("alg");
    if (!JWSAlgorithm.ES256.getName().equals(alg)) {
      throw invalid("grant alg must be ES256, got " + shown(String.valueOf(alg)));
    }
    if (h.containsKey("crit")) {
      throw invalid("grant header must not carry crit: no extension is understood");
    }
    for (String name : h.keySet()) {
      if (!ALLOWED_HEADER_PARAMS.contains(name)) {
        // jwk/jku/x5u/x5c would let the token name its own key; the rest have no use here.
        throw invalid("grant header must not carry " + shown(name)
            + " (only alg, typ and kid are allowed)");
      }
    }
    if (!(h.get("kid") instanceof String kid) || kid.isEmpty()) {
      throw invalid("grant header has no kid");
    }
    if (jws.signature().length != ES256_SIGNATURE_BYTES) {
      throw invalid("grant signature must be " + ES256_SIGNATURE_BYTES + " bytes for ES256, got "
          + jws.signature().length);
    }
    JWSHeader header;
    try {
      header = JWSHeader.parse(h, Base64URL.encode(jws.header()));
    } catch (ParseException e) {
      throw invalid("grant header is malformed: " + e.getMessage());
    }
    List<Key> keys;
    try {
      keys = keySelector.selectJWSKeys(header, null);
    } catch (KeySourceException e) {
      throw invalid("grant kid cannot be resolved");
    }
    if (keys.isEmpty() || !signatures.containsKey(kid)) {
      throw invalid("unknown kid " + shown(kid));
    }
    return kid;
  }

  private Grant checkClaims(byte[] payload) {
    Map<String, Object> c = parseObject(payload, "claims");
    // Range-check the times before Nimbus sees them (TokenTimes says why); expiry is then decided
    // on our own Instants below, Nimbus's verifier only adds its checks (and names missing claims).
    for (String time : List.of("iat", "nbf", "exp")) {
      if (c.containsKey(time)) {
        seconds(c, time);
      }
    }
    JWTClaimsSet claims;
    try {
      claims = JWTClaimsSet.parse(c);
    } catch (ParseException e) {
      throw invalid("grant claims are malformed: " + e.getMessage());
    }
    try {
      claimsVerifier.verify(claims, null);
    } catch (ExpiredJWTException e) {
      throw new Denied(Reason.GRANT_EXPIRED, "grant expired at " + claims.getExpirationTime()
          .toInstant() + " (now " + clock.instant() + ", leeway " + leeway.toSeconds() + " s)");
    } catch (BadJWTException e) {
      throw invalid(describe(e, claims));
    }
    Instant iat = seconds(c, "iat");
    Instant nbf = seconds(c, "nbf");
    Instant exp = seconds(c, "exp");
    Instant now = clock.instant();
    if (!now.isBefore(exp.plus(leeway))) {
      throw new Denied(Reason.GRANT_EXPIRED,
          "grant expired at " + exp + " (now " + now + ", leeway " + leeway.toSeconds() + " s)");
    }
    if (nbf.isAfter(now.plus(leeway))) {
      throw invalid("grant is not valid before " + nbf + " (now " + now + ")");
    }
    if (iat.isAfter(now.plus(leeway))) {
      throw invalid("grant iat " + iat + " is in the future (now " + now + ")");
    }
    if (!exp.isAfter(nbf) || !exp.isAfter(iat)) {
      throw invalid("grant exp must be after iat and nbf");
    }
    if (Duration.between(iat, exp).compareTo(GrantClaims.MAX_TTL) > 0) {
      throw invalid("grant lifetime exceeds the " + GrantClaims.MAX_TTL.toMinutes() + " min maximum");
    }
    String jti = text(c, "jti");
    if (jti.length() > 128) {
      throw invalid("grant jti is longer than 128 characters");
    }
    List<String> clients = strings(c, "clients");
    if (clients.isEmpty()) {
      throw invalid("grant clients must name at least one client");
    }
    Set<Action> actions = EnumSet.noneOf(Action.class);
    for (String a : strings(c, "actions")) {
      actions.add(Action.parse(a).orElseThrow(
          () -> invalid("grant actions may only contain read and write, got " + shown(a))));
    }
    if (actions.isEmpty()) {
      throw invalid("grant actions must contain read and/or write");
    }
    Set<FieldClass> unmask = EnumSet.noneOf(FieldClass.class);
    if (c.containsKey("unmask")) {
      for (String u : strings(c, "unmask")) {
        FieldClass f = exactFieldClass(u);
        if (f == FieldClass.SECRET) {
          throw invalid("grant unmask can never contain secret");
        }
        unmask.add(f);
      }
    }
    String req = null;
    if (c.containsKey("req")) {
      req = text(c, "req");
    }
    List<String> apr = c.containsKey("apr") ? strings(c, "apr") : List.of();
    Object epoch = c.get("epoch");
    if (!(epoch instanceof Integer || epoch instanceof Long) || ((Number) epoch).longValue() < 0) {
      throw invalid("grant epoch must be a non-negative integer");
    }
    return new Grant(jti, issuer, text(c, "sub"), text(c, "ticket"), new LinkedHashSet<>(clients),
        actions, unmask, req, apr, ((Number) epoch).longValue(), iat, nbf, exp);
  }

  private String describe(BadJWTException e, JWTClaimsSet claims) {
    String m = String.valueOf(e.getMessage());
    if (m.startsWith("JWT missing required claims")) {
      return "grant is missing required claims" + m.substring("JWT missing required claims".length());
    }
    if (m.contains(" aud ")) {
      return "grant aud must be " + GrantSigner.AUDIENCE + ", got "
          + shown(String.valueOf(claims.getAudience()));
    }
    if (m.contains(" iss ")) {
      return "grant iss " + shown(String.valueOf(claims.getIssuer()))
          + " is not this gateway's issuer " + shown(issuer);
    }
    if (m.contains("before use time")) {
      return "grant is not valid before " + claims.getNotBeforeTime().toInstant() + " (now "
          + clock.instant() + ", leeway " + leeway.toSeconds() + " s)";
    }
    return "grant claims rejected: " + m;
  }

  private static Map<String, Object> parseObject(byte[] json, String part) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = JSON.readValue(json, Map.class);
      if (m == null) {
        throw invalid("grant " + part + " must be a JSON object");
      }
      return m;
    } catch (IOException e) {
      // Jackson messages quote the input; say only what kind of problem it is.
      throw invalid("grant " + part + " is not a valid JSON object"
          + (String.valueOf(e.getMessage()).contains("Duplicate field") ? " (duplicate name)" : ""));
    }
  }

  private static Instant seconds(Map<String, Object> c, String name) {
    Object v = c.get(name);
    if (!(v instanceof Integer || v instanceof Long)) {
      throw invalid("grant " + name + " must be an integer number of seconds");
    }
    if (!TokenTimes.inRange(v)) {
      throw invalid("grant " + name + " " + v + " is not a time between 1970 and 9999");
    }
    return Instant.ofEpochSecond(((Number) v).longValue());
  }

  private static String text(Map<String, Object> c, String name) {
    if (!(c.get(name) instanceof String s) || s.isBlank()) {
      throw invalid("grant " + name + " must be a non-empty string");
    }
    return s;
  }

  private static List<String> strings(Map<String, Object> c, String name) {
    if (!(c.get(name) instanceof List<?> list)) {
      throw invalid("grant " + name + " must be an array of strings");
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof String s) || s.isBlank()) {
        throw invalid("grant " + name + " must be an array of non-empty strings");
      }
      out.add(s);
    }
    return out;
  }

  private static FieldClass exactFieldClass(String code) {
    for (FieldClass f : FieldClass.values()) {
      if (f.code().equals(code)) {
        return f;
      }
    }
    throw invalid("grant unmask has unknown field class " + shown(code));
  }

  private static Denied invalid(String message) {
    return new Denied(Reason.GRANT_INVALID, message);
  }

  /** Attacker-chosen text goes into logs: quote it, cap it, and keep it printable ASCII. */
  static String shown(String s) {
    StringBuilder b = new StringBuilder("'");
    for (int i = 0; i < s.length() && i < 64; i++) {
      char ch = s.charAt(i);
      b.append(ch >= 0x20 && ch < 0x7f && ch != '\'' ? ch : '?');
    }
    return b.append(s.length() > 64 ? "...'" : "'").toString();
  }

  /** Nimbus' claims verifier reads {@code new Date()}; grants are judged by the injected clock. */
  private static final class ClockedClaimsVerifier
      extends DefaultJWTClaimsVerifier<SecurityContext> {
    private final Clock clock;

    ClockedClaimsVerifier(String issuer, Clock clock) {
      super(GrantSigner.AUDIENCE, new JWTClaimsSet.Builder().issuer(issuer).build(), REQUIRED_CLAIMS);
      this.clock = clock;
    }

    @Override
    protected Date currentTime() {
      return Date.from(clock.instant());
    }
  }
}
