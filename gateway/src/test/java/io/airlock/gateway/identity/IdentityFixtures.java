package io.airlock.gateway.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Keys, a settable clock, a local identity provider serving a JWKS, and token minting. */
final class IdentityFixtures {
  static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");
  static final String IDP_ISSUER = "https://idp.test/realms/staff";
  static final String AUDIENCE = "airlock";

  // key generation costs tens of ms (RSA): share them
  static final RSAKey RSA1 = rsa("rsa-1");
  static final RSAKey RSA2 = rsa("rsa-2");
  static final ECKey EC1 = ec("ec-1");

  private IdentityFixtures() {}

  static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }

  /** The refusal of a future that must fail with {@link Unauthenticated}. */
  static Unauthenticated refusal(Future<?> f) throws Exception {
    try {
      Object ok = await(f);
      throw new AssertionError("expected a refusal, got " + ok);
    } catch (Unauthenticated e) {
      return e;
    }
  }

  /** Claims an identity provider would put in a token issued now. */
  static Map<String, Object> claims(Instant now) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("iss", IDP_ISSUER);
    c.put("aud", List.of(AUDIENCE, "account"));
    c.put("sub", "alice");
    c.put("iat", now.getEpochSecond());
    c.put("nbf", now.getEpochSecond());
    c.put("exp", now.plus(Duration.ofMinutes(5)).getEpochSecond());
    c.put("roles", List.of("agent", "offline_access"));
    c.put("teams", List.of("payments"));
    return c;
  }

  static Map<String, Object> header(String alg, String kid) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alg", alg);
    h.put("typ", "JWT");
    h.put("kid", kid);
    return h;
  }

  static String b64(Map<String, Object> json) {
    return Base64URL.encode(new io.vertx.core.json.JsonObject(json).encode()).toString();
  }

  /** Signs exactly this header and these claims with {@code key} (RS256/ES256 by key type). */
  static String mint(Map<String, Object> header, Map<String, Object> claims, JWK key) {
    String input = b64(header) + "." + b64(claims);
    try {
      JWSSigner signer =
          key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
      JWSAlgorithm alg = key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
      Base64URL sig = signer.sign(new JWSHeader(alg), input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + sig;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String mint(Map<String, Object> claims, JWK key) {
    String alg = key instanceof RSAKey ? "RS256" : "ES256";
    return mint(header(alg, key.getKeyID()), claims, key);
  }

  /** A local identity provider: serves whatever key set it is told to, counting requests. */
  static final class FakeIdp implements AutoCloseable {
    private final AtomicReference<String> jwks = new AtomicReference<>();
    final AtomicInteger hits = new AtomicInteger();
    private final HttpServer server;

    FakeIdp(Vertx vertx, JWK... keys) throws Exception {
      publish(keys);
      server =
          await(
              vertx
                  .createHttpServer()
                  .requestHandler(req -> {
                    hits.incrementAndGet();
                    req.response().putHeader("Content-Type", "application/json").end(jwks.get());
                  })
                  .listen(0, "127.0.0.1"));
    }

    /** Public halves only, as a real provider publishes them. */
    void publish(JWK... keys) {
      jwks.set(new JWKSet(List.of(keys)).toPublicJWKSet().toString());
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.actualPort() + "/certs");
    }

    @Override
    public void close() throws Exception {
      await(server.close());
    }
  }

}
