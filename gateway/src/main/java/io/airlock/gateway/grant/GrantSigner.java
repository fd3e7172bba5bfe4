package io.airlock.gateway.grant;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Signs grants (ES256) with the key the signing schedule names for the moment of issue, so a
 * scheduled key takes over at its {@code activeFrom} without a restart. Thread-safe.
 */
public final class GrantSigner {
  public static final String TYPE = "airlock-grant+jwt";
  public static final String AUDIENCE = "airlock-data-plane";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String issuer;
  private final SigningKeys keys;
  private final Map<String, ECDSASigner> signers;
  private final Clock clock;

  public GrantSigner(SigningKeys keys, String issuer, Clock clock) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.clock = Objects.requireNonNull(clock, "clock");
    Map<String, ECDSASigner> s = new HashMap<>();
    for (String kid : keys.signingKids()) {
      try {
        s.put(kid, new ECDSASigner(keys.privateKey(kid)));
      } catch (JOSEException e) {
        throw new SigningKeyException(null, "kid '" + kid + "' cannot sign: " + e.getMessage());
      }
    }
    this.signers = Map.copyOf(s);
  }


  public IssuedGrant sign(GrantClaims claims) {
    // NumericDate has whole seconds; truncating here keeps exp in the token equal to the one
    // returned, and the kid is chosen for the same instant as iat, so iat tells which key signed
    // (the verifier refuses a grant dated outside its kid's turn; turns start on whole seconds)
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    String kid = keys.signingKidAt(now).orElseThrow(() -> new IllegalStateException("no grant signing key is active at " + now));
    ECDSASigner signer = signers.get(kid);
    if (signer == null) {
      throw new IllegalStateException("kid '" + kid + "' is due to sign at " + now + " but its private part is not loaded");
    }
    Instant exp = now.plus(claims.ttl());
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    String jti = Base64URL.encode(id).toString();

    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(AUDIENCE)
            .subject(claims.agent())
            .jwtID(jti)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(exp))
            .claim("ticket", claims.ticket())
            .claim("clients", claims.clients())
            .claim("actions", claims.actions().stream().map(Action::code).sorted().toList())
            .claim("unmask", claims.unmask().stream().map(FieldClass::code).sorted().toList())
            .claim("apr", claims.approvers())
            .claim("epoch", claims.epoch());
    if (claims.requestId() != null) {
      b.claim("req", claims.requestId());
    }
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.ES256)
            .type(new JOSEObjectType(TYPE))
            .keyID(kid)
            .build();
    SignedJWT jwt = new SignedJWT(header, b.build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a grant with kid '" + kid + "' failed", e);
    }
    return new IssuedGrant(jwt.serialize(), jti, exp);
  }
}
