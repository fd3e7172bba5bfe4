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
import java.util.List;
import java.util.Optional;
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
    assertThat(reloaded.activeKey()).isEqualTo(generated.activeKey());
    assertThat(reloaded.activeKey().getCurve()).isEqualTo(Curve.P_256);
    assertThat(reloaded.activeKid()).isEqualTo("k1");
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

    JsonNode jwks = GrantFixtures.JSON.readTree(keys.jwksJson());
    assertThat(jwks.get("keys")).hasSize(2);
    assertThat(jwks.get("keys").get(0).get("kid").asText()).isEqualTo("k2");
    assertThat(jwks.get("keys").get(1).get("kid").asText()).isEqualTo("k1");
    assertThat(keys.jwksJson()).doesNotContain("\"d\"", K1.getD().toString(), K2.getD().toString());
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
        .hasMessageContaining("activeKid 'k9'")
        .hasMessageContaining("[k1]");
  }

  @Test
  void garbageIsNotAJwk() throws Exception {
    Path f = write("k1.jwk", "not json");
    assertThatThrownBy(() -> SigningKeys.load(config("k1", Optional.empty(), new KeyRef("k1", f))))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("not a valid JWK");
  }
}
