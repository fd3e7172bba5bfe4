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
import java.util.Objects;

/** Signs grants with the active key (ES256). Thread-safe. */
public final class GrantSigner {
  public static final String TYPE = "airlock-grant+jwt";
  public static final String AUDIENCE = "airlock-data-plane";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String issuer;
  private final String kid;
  private final ECDSASigner signer;
  private final Clock clock;

  public GrantSigner(SigningKeys keys, String issuer, Clock clock) {
    Objects.requireNonNull(keys, "keys");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.kid = keys.activeKid();
    try {
      this.signer = new ECDSASigner(keys.activeKey());
    } catch (JOSEException e) {
      throw new SigningKeyException(null, "active kid '" + kid + "' cannot sign: " + e.getMessage());
    }
  }

  public IssuedGrant sign(GrantClaims claims) {
    // NumericDate has whole seconds; truncating here keeps exp in the token equal to the one returned.
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
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
