package io.airlock.gateway.grant;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.Provider;
import java.util.Optional;

/**
 * The one ES256 signature check grants go through (and the Wycheproof vectors test): Nimbus'
 * {@link ECDSAVerifier}, which refuses a signature that is not exactly 64 bytes or has r or s
 * outside [1, n-1] before the JCA sees it. The JCA provider is pluggable because SunEC costs
 * about 1.2 ms per verification and a native provider (ACCP) is an order of magnitude cheaper;
 * without one, the JDK's provider order decides (SunEC on a stock JDK). Thread-safe: Nimbus
 * takes a fresh {@code Signature} per call.
 */
public final class Es256Signature {
  private static final JWSHeader ES256 = new JWSHeader(JWSAlgorithm.ES256);

  private final ECDSAVerifier verifier;

  private Es256Signature(ECDSAVerifier verifier) {
    this.verifier = verifier;
  }

  /** Built once per key: the constructor checks the point is on the curve, which is not free. */
  public static Es256Signature forKey(ECKey publicKey, Optional<Provider> provider) {
    try {
      ECDSAVerifier v = new ECDSAVerifier(publicKey.toECPublicKey());
      provider.ifPresent(p -> v.getJCAContext().setProvider(p));
      return new Es256Signature(v);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("not a usable P-256 public key: " + e.getMessage(), e);
    }
  }

  /**
   * @param signingInput the bytes signed (for a JWS, ASCII of {@code header.payload})
   * @param signature IEEE P1363 {@code r‖s}
   */
  public boolean verify(byte[] signingInput, byte[] signature) {
    try {
      return verifier.verify(ES256, signingInput, Base64URL.encode(signature));
    } catch (JOSEException e) {
      // Nimbus signals malformed signatures (wrong length, r or s out of range) this way.
      return false;
    }
  }
}
