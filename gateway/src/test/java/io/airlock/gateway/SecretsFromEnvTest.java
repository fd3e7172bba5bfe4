package io.airlock.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.airlock.gateway.attribution.WatermarkMac;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.gateway.config.EffectiveConfig;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.gateway.testing.TestPki;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.SecretSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 "Secrets": a node whose every secret comes from environment variables (the grant
 * signing key, both attribution keys, the Redis password) starts from a config directory that
 * holds none of them, keeps its shared state in a Redis it reaches over TLS, and serves the whole
 * flow: the keys it uses are the ones in the variables, and nothing prints them.
 */
class SecretsFromEnvTest {
  @TempDir Path dir;

  private static String randomKey() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  @Test
  void a_node_runs_on_secrets_from_environment_variables_with_redis_over_tls() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    ECKey signing = new ECKeyGenerator(Curve.P_256).keyID("env-kid").generate();
    String watermarkKey = randomKey();
    String redisPassword = "redis-" + randomKey();
    Map<String, String> env = Map.of(
        "AIRLOCK_GRANT_KEY", signing.toJSONString(),
        "AIRLOCK_WATERMARK_KEY", watermarkKey,
        "AIRLOCK_MASKING_KEY", randomKey(),
        "AIRLOCK_REDIS_PASSWORD", redisPassword + "\n");
    try (RedisSupport.PrivateRedis redis = RedisSupport.startPrivateTls(pki.serverCert(), pki.serverKey(), pki.caCert(), false);
        RecordingBackend backend = RecordingBackend.start()) {
      RedisSupport.command("127.0.0.1", redis.port(), "CONFIG", "SET", "requirepass", redisPassword);
      // the route is passthrough without a profile: JSON would be refused, plain text passes
      backend.respond(r -> r.response().putHeader("Content-Type", "text/plain").end("c-0001 Ada"));
      Files.writeString(dir.resolve("airlock.yaml"), String.join("\n",
          "node: { id: env-node }",
          "dataPlane: { port: 0 }",
          "controlPlane: { port: 0 }",
          "grants:",
          "  issuer: " + TestConfigs.ISSUER,
          "  activeKid: env-kid",
          "  keys: [ { kid: env-kid, env: AIRLOCK_GRANT_KEY } ]",
          "identity: { mode: demo }",
          "secrets: { watermarkKeyEnv: AIRLOCK_WATERMARK_KEY, maskingKeyEnv: AIRLOCK_MASKING_KEY }",
          "audit: { dir: audit }",
          "redis:",
          "  uri: \"rediss://localhost:" + redis.tlsPort() + "\"",
          "  keyPrefix: \"" + RedisSupport.uniquePrefix() + "\"",
          "  passwordEnv: AIRLOCK_REDIS_PASSWORD",
          "  tls: { caFile: pki/ca.pem }",
          ""));
      Files.writeString(dir.resolve("routes.yaml"), String.join("\n",
          "routes:",
          "  - { id: r, path: \"/clients/{client}\", backend: \"" + backend.uri() + "\", methods: [GET], passthrough: [text/plain] }",
          ""));
      Files.writeString(dir.resolve("users.yaml"), TestConfigs.DEMO_USERS);

      AirlockConfig config = ConfigLoader.load(dir, env::get, Clock.systemUTC());
      assertThat(config.grants().keys().get(0).source()).isInstanceOf(SecretSource.FromEnv.class);
      String shown = EffectiveConfig.yaml(config);
      assertThat(shown).contains("source: env AIRLOCK_GRANT_KEY", "watermarkKey: env AIRLOCK_WATERMARK_KEY",
          "password: env AIRLOCK_REDIS_PASSWORD");
      for (String value : env.values()) {
        assertThat(shown).doesNotContain(value.strip());
      }

      try (AirlockNode node = AirlockNode.start(config, Clock.systemUTC())) {
        int cp = node.controlPlanePort();
        String grant = ControlPlaneClient.approvedGrant(
            ControlPlaneClient.login(cp, "alice"), ControlPlaneClient.login(cp, "maria"), "c-0001");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> read = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.dataPlanePort() + "/clients/c-0001"))
                .header("Authorization", "Bearer " + grant).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(read.body()).contains("Ada");
        // stamped with the key from the variable: only that key verifies it
        String watermark = read.headers().firstValue("X-Airlock-Watermark").orElseThrow();
        assertThat(new WatermarkMac(Base64.getDecoder().decode(watermarkKey)).verify(watermark)).isPresent();
        // published and signing with the key from the variable
        JWKSet jwks = JWKSet.parse(http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp + "/.well-known/jwks.json")).build(),
            HttpResponse.BodyHandlers.ofString()).body());
        assertThat(jwks.getKeys()).extracting(JWK::getKeyID).containsExactly("env-kid");
        assertThat(jwks.getKeys().get(0).toECKey().getX()).isEqualTo(signing.getX());
      }
      assertThat(dir.resolve("keys")).as("no key file was generated").doesNotExist();
    }
  }
}
