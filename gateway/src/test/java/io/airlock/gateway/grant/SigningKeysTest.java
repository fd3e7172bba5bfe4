package io.airlock.gateway.grant;

import static io.airlock.gateway.grant.GrantFixtures.ISSUER;
import static io.airlock.gateway.grant.GrantFixtures.K1;
import static io.airlock.gateway.grant.GrantFixtures.K2;
import static io.airlock.gateway.grant.GrantFixtures.LEEWAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.GrantsConfig.KeyRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import io.airlock.policy.config.SecretSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {
  @TempDir Path dir;

  private GrantsConfig config(String active, Optional<Path> generateDir, KeyRef... keys) {
    return new GrantsConfig(ISSUER, active, List.of(keys), generateDir, LEEWAY, 100, 10);
  }

  private Path write(String name, String json) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, json);
    return f;
  }

  @Test
  void generatesAMissingActiveKeyWith0600AndReloadsTheSameKey() throws Exception {
    Path file = dir.resolve("keys/k1.jwk");
    SigningKeys generated = SigningKeys.load(config("k1", Optional.of(dir), new KeyRef("k1", file)));

    assertThat(file).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    SigningKeys reloaded = SigningKeys.load(config("k1", Optional.empty(), new KeyRef("k1", file)));
    assertThat(reloaded.privateKey("k1")).isEqualTo(generated.privateKey("k1"));
    assertThat(reloaded.privateKey("k1").getCurve()).isEqualTo(Curve.P_256);
    assertThat(reloaded.signingKidAt(Instant.now())).contains("k1");
  }

  @Test
  void neverGeneratesOutsideGenerateDir() {
    Path elsewhere = dir.resolve("prod/k1.jwk");
    assertThatThrownBy(() -> SigningKeys.load(
            config("k1", Optional.of(dir.resolve("demo")), new KeyRef("k1", elsewhere))))
        .isInstanceOf(SigningKeyException.class)
        .hasMessageContaining(elsewhere.toString())
        .hasMessageContaining("outside grants.generateDir");
    assertThat(elsewhere).doesNotExist();
  }

  @Test
  void jwksHasBothKidsActiveFirstAndNoPrivateParts() throws Exception {
    Path f1 = write("k1.jwk", K1.toJSONString());
    Path f2 = write("k2.jwk", K2.toJSONString());
    SigningKeys keys = SigningKeys.load(
        config("k2", Optional.empty(), new KeyRef("k1", f1), new KeyRef("k2", f2)));

    JsonNode jwks = GrantFixtures.JSON.readTree(keys.jwksJson(Instant.now()));
    assertThat(jwks.get("keys")).hasSize(2);
    assertThat(jwks.get("keys").get(0).get("kid").asText()).isEqualTo("k2");
    assertThat(jwks.get("keys").get(1).get("kid").asText()).isEqualTo("k1");
    assertThat(keys.jwksJson(Instant.now())).doesNotContain("\"d\"", K1.getD().toString(), K2.getD().toString());
    for (JsonNode k : jwks.get("keys")) {
      assertThat(k.get("crv").asText()).isEqualTo("P-256");
      assertThat(k.has("x") && k.has("y")).isTrue();
    }
  }

  @Test
  void missingFileIsNamed() {
    Path f = dir.resolve("nope.jwk");
    assertThatThrownBy(() -> SigningKeys.load(config("k1", Optional.empty(), new KeyRef("k1", f))))
        .isInstanceOf(SigningKeyException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void kidInFileMustMatchConfig() throws Exception {
    Path f = write("k1.jwk", K2.toJSONString());
    assertThatThrownBy(() -> SigningKeys.load(config("k1", Optional.empty(), new KeyRef("k1", f))))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("kid is 'k2' but the config names it 'k1'");
  }

  @Test
  void curveMustBeP256() throws Exception {
    ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();
    Path f = write("k1.jwk", p384.toJSONString());
    assertThatThrownBy(() -> SigningKeys.load(config("k1", Optional.empty(), new KeyRef("k1", f))))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("P-384")
        .hasMessageNotContaining(p384.getD().toString());
  }

  @Test
  void rsaKeyIsRefused() throws Exception {
    Path f = write("k1.jwk", new RSAKeyGenerator(2048).keyID("k1").generate().toJSONString());
    assertThatThrownBy(() -> SigningKeys.load(config("k1", Optional.empty(), new KeyRef("k1", f))))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("RSA");
  }

  @Test
  void activeKeyNeedsItsPrivatePartPreviousKeysDoNot() throws Exception {
    Path pub1 = write("k1.pub.jwk", K1.toPublicJWK().toJSONString());
    Path f2 = write("k2.jwk", K2.toJSONString());
    assertThatThrownBy(() -> SigningKeys.load(config("k1", Optional.empty(), new KeyRef("k1", pub1))))
        .hasMessageContaining(pub1.toString())
        .hasMessageContaining("no private part");

    SigningKeys rotated = SigningKeys.load(
        config("k2", Optional.empty(), new KeyRef("k1", pub1), new KeyRef("k2", f2)));
    assertThat(rotated.publicKeys()).containsOnlyKeys("k1", "k2");
  }

  @Test
  void activeKidMustBeConfigured() throws Exception {
    Path f1 = write("k1.jwk", K1.toJSONString());
    assertThatThrownBy(() -> SigningKeys.load(config("k9", Optional.empty(), new KeyRef("k1", f1))))
        .hasMessageContaining("signing key 'k9' is not among the configured kids [k1]");
  }

  @Test
  void garbageIsNotAJwk() throws Exception {
    Path f = write("k1.jwk", "not json");
    assertThatThrownBy(() -> SigningKeys.load(config("k1", Optional.empty(), new KeyRef("k1", f))))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("not a valid JWK");
  }

  private static final Instant SWITCH = Instant.parse("2026-12-01T09:00:00Z");

  /** k1 signs from the beginning (activeKid), k2 from SWITCH. */
  private GrantsConfig scheduled(KeyRef k1, SecretSource k2) {
    return new GrantsConfig(ISSUER, Optional.of("k1"), List.of(k1, new KeyRef("k2", k2, Optional.of(SWITCH))), Optional.empty(),
        LEEWAY, 100, 10);
  }

  @Test
  void aScheduledKeyIsPublishedBeforeItSignsAndSignsFromItsActiveFrom() throws Exception {
    Path f1 = write("k1.jwk", K1.toJSONString());
    SigningKeys keys = SigningKeys.load(scheduled(new KeyRef("k1", f1), new SecretSource.FromEnv("K2", K2.toJSONString())),
        SWITCH.minusSeconds(3600));

    assertThat(keys.signingKidAt(SWITCH.minusMillis(1))).contains("k1");
    assertThat(keys.signingKidAt(SWITCH)).contains("k2");
    assertThat(keys.publicKeys()).containsOnlyKeys("k1", "k2");
    JsonNode before = GrantFixtures.JSON.readTree(keys.jwksJson(SWITCH.minusSeconds(1)));
    JsonNode after = GrantFixtures.JSON.readTree(keys.jwksJson(SWITCH));
    assertThat(before.get("keys")).extracting(k -> k.get("kid").asText()).containsExactly("k1", "k2");
    assertThat(after.get("keys")).extracting(k -> k.get("kid").asText()).containsExactly("k2", "k1");
    assertThat(keys.jwksJson(SWITCH)).doesNotContain(K2.getD().toString());
  }

  @Test
  void aKeyThatSignsNowOrLaterNeedsItsPrivatePartOneWhoseTurnIsOverDoesNot() throws Exception {
    Path f1 = write("k1.jwk", K1.toJSONString());
    Path pub1 = write("k1.pub.jwk", K1.toPublicJWK().toJSONString());
    SecretSource pub2 = new SecretSource.FromEnv("AIRLOCK_K2", K2.toPublicJWK().toJSONString());

    assertThatThrownBy(() -> SigningKeys.load(scheduled(new KeyRef("k1", f1), pub2), SWITCH.minusSeconds(60)))
        .isInstanceOf(SigningKeyException.class)
        .hasMessageContaining("env AIRLOCK_K2")
        .hasMessageContaining("no private part");
    SigningKeys retired = SigningKeys.load(
        scheduled(new KeyRef("k1", pub1), new SecretSource.FromEnv("AIRLOCK_K2", K2.toJSONString())), SWITCH.plusSeconds(60));
    assertThat(retired.signingKidAt(SWITCH.plusSeconds(60))).contains("k2");
    assertThatThrownBy(() -> retired.privateKey("k1")).hasMessageContaining("no private part");
  }

  @Test
  void aKeyFromAnEnvironmentVariableIsCheckedLikeAFileAndNamedByTheVariable() throws Exception {
    SecretSource garbage = new SecretSource.FromEnv("AIRLOCK_K2", "{\"kty\":\"EC\",\"d\":\"c2VjcmV0\"}");
    Path f1 = write("k1.jwk", K1.toJSONString());
    assertThatThrownBy(() -> SigningKeys.load(scheduled(new KeyRef("k1", f1), garbage), SWITCH))
        .isInstanceOf(SigningKeyException.class)
        .hasMessageContaining("env AIRLOCK_K2")
        .hasMessageContaining("not a valid JWK")
        .hasMessageNotContaining("c2VjcmV0");
    SecretSource otherKid = new SecretSource.FromEnv("AIRLOCK_K2", K1.toJSONString());
    assertThatThrownBy(() -> SigningKeys.load(scheduled(new KeyRef("k1", f1), otherKid), SWITCH))
        .hasMessageContaining("env AIRLOCK_K2: kid is 'k1' but the config names it 'k2'");
  }

  @Test
  void noKeyActiveAtStartIsRefused() throws Exception {
    Path f2 = write("k2.jwk", K2.toJSONString());
    GrantsConfig onlyLater = new GrantsConfig(ISSUER, Optional.empty(),
        List.of(new KeyRef("k2", new SecretSource.FromFile(f2), Optional.of(SWITCH))), Optional.empty(), LEEWAY, 100, 10);
    assertThatThrownBy(() -> SigningKeys.load(onlyLater, SWITCH.minusSeconds(1)))
        .hasMessageContaining("no grant signing key is active at " + SWITCH.minusSeconds(1));
    assertThat(SigningKeys.load(onlyLater, SWITCH).signingKidAt(SWITCH)).contains("k2");
  }
}
