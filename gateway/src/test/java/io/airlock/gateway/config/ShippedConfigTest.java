package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.config.Route;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.MaskingOptions;
import io.airlock.policy.mask.MaskingProfile.FieldRule;
import io.airlock.policy.mask.StreamingMasker;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The configurations shipped in the repository must always load. */
class ShippedConfigTest {

  static Path projectRoot() {
    String prop = System.getProperty("airlock.project.root");
    if (prop != null && Files.isDirectory(Path.of(prop, "config", "demo"))) {
      return Path.of(prop);
    }
    // running from an IDE without surefire's system property
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("config").resolve("demo"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root (no config/demo above cwd)");
  }

  @Test
  void demoConfigLoads() throws ConfigException {
    Path root = projectRoot();
    AirlockConfig c = ConfigLoader.load(root.resolve("config/demo"));

    assertThat(c.identity().mode()).isEqualTo(IdentityConfig.Mode.DEMO);
    assertThat(c.dataPlane().host()).isEqualTo("127.0.0.1");
    assertThat(c.dataPlane().port()).isEqualTo(8080);
    assertThat(c.controlPlane().port()).isEqualTo(8081);
    assertThat(c.grants().activeKid()).contains("demo-2026-11");
    // the demo key is generated into the git-ignored var/keys at the repository root
    Path keys = root.resolve("var/keys").toAbsolutePath().normalize();
    assertThat(c.grants().generateDir()).contains(keys);
    assertThat(c.grants().keys())
        .singleElement()
        .satisfies(k -> assertThat(k.source()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(keys.resolve("demo-2026-11.jwk.json"))));

    assertThat(c.routes()).extracting(Route::id).containsExactly("client-transactions", "client-record");
    for (Route r : c.routes()) {
      assertThat(r.backend().toString()).isEqualTo("http://127.0.0.1:9090");
      assertThat(r.methods()).containsExactlyInAnyOrder("GET", "HEAD");
      assertThat(c.maskingProfiles()).containsKey(r.maskingProfile().orElseThrow());
    }

    MaskingProfile record = c.maskingProfiles().get("client-record");
    assertThat(record.mode()).isEqualTo(MaskingProfile.Mode.ALLOW);
    assertThat(record.ruleForField("name")).contains(FieldRule.CLEAR);
    assertThat(record.ruleForField("email")).contains(FieldRule.of(FieldClass.EMAIL));
    assertThat(record.ruleForField("twoFactorSecret")).contains(FieldRule.of(FieldClass.SECRET));
    // not listed anywhere, so the allow-list redacts it
    assertThat(record.ruleForField("notes")).isEmpty();
    assertThat(record.paths()).containsEntry("$.card.number", FieldRule.of(FieldClass.CARD));

    MaskingProfile tx = c.maskingProfiles().get("transactions");
    assertThat(tx.ruleForField("iban")).contains(FieldRule.of(FieldClass.BANK));
    assertThat(tx.ruleForField("description")).contains(FieldRule.CLEAR);
  }

  @Test
  void exampleConfigLoadsWithoutReadingKeyFiles() throws ConfigException {
    AirlockConfig c = ConfigLoader.load(projectRoot().resolve("config"));

    assertThat(c.identity().mode()).isEqualTo(IdentityConfig.Mode.OIDC);
    assertThat(c.grants().generateDir()).isEmpty();
    assertThat(c.grants().keys()).hasSize(2);
    // outside the repository and absent here: the loader resolves paths, SigningKeys reads them
    assertThat(c.grants().keys().get(0).source())
        .isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(Path.of("/etc/airlock/keys/airlock-2026-11.jwk.json")));
    assertThat(c.dataPlane().maxRequestBodyBytes()).isEqualTo(64 * 1024);
    assertThat(c.revocation().maxStaleness()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.policy().maxGrantTtl()).isEqualTo(Duration.ofMinutes(60));

    // the statements route comes before the subpaths route that would otherwise take its paths
    assertThat(c.routes()).extracting(Route::id).containsExactly("client-transactions", "client-statements", "client-record");
    Route statements = c.routes().get(1);
    assertThat(statements.passthroughTypes()).containsExactly("application/pdf");
    assertThat(statements.maskingProfile()).isEqualTo(Optional.empty());
    assertThat(c.maskingProfiles().get("client-record").ruleForField("notes")).isEmpty();
    assertThat(c.maskingProfiles().get("client-record").paths()).containsEntry("$.notes", FieldRule.CLEAR);
  }

  /** The shipped file shows {@code notes}; its comment promises identifiers inside stay masked. */
  @Test
  void shippedClientRecordProfileMasksIdentifiersInsideNotes() throws Exception {
    AirlockConfig c = ConfigLoader.load(projectRoot().resolve("config"));
    MaskingProfile record = c.maskingProfiles().get("client-record");
    StreamingMasker m = StreamingMasker.create(record, MaskingOptions.of(
        Set.of(), "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8), "alice"));
    byte[] in = ("{\"id\":\"c-1\",\"notes\":\"card 4111 1111 1111 1111, ssn 123-45-6789, "
        + "iban DE89 3704 0044 0532 0130 00\"}").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.feed(in, 0, in.length, out::write);
    m.finish(out::write);
    String masked = out.toString(StandardCharsets.UTF_8);

    assertThat(masked).startsWith("{\"id\":\"c-1\",\"notes\":\"card ");
    for (String leak : new String[] {"4111 1111 1111", "4111111111111111", "123-45", "123456789",
        "DE89", "3704", "0044 0532", "0532 0130"}) {
      assertThat(masked).doesNotContain(leak);
    }
    assertThat(masked).isEqualTo("{\"id\":\"c-1\",\"notes\":\"card ***************1111, ssn "
        + "*******6789, iban ***********************0 00\"}");
  }
}
