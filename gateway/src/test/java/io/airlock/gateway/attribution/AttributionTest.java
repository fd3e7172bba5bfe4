package io.airlock.gateway.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.SecretsConfig;
import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.Strategy;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever an agent is shown can be attributed: the watermark carries a MAC only the server's key
 * makes, and hmac-masked values are keyed per agent, stable across restarts (the key is a file),
 * and traceable to their viewer.
 */
class AttributionTest {
  @TempDir Path dir;

  /** The test profile with email masked by the hmac strategy. */
  static final UnaryOperator<AirlockConfig> EMAIL_HMAC =
      c -> {
        MaskingProfile p = TestConfigs.clientProfile();
        MaskingProfile hmac =
            new MaskingProfile(p.name(), p.mode(), p.fields(), p.paths(), p.detectors(), Map.of(FieldClass.EMAIL, Strategy.HMAC), p.maxDepth());
        return c.withMaskingProfiles(Map.of(hmac.name(), hmac));
      };

  static String email(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body()).getString("email");
  }

  @Test
  void theWatermarkVerifiesAndAnEditedOneDoesNot() throws Exception {
    try (GatewayHarness gw = GatewayHarness.start(dir)) {
      gw.backend.json("{\"id\":\"c-1\",\"name\":\"Ada\"}");
      String wm = gw.get("/clients/c-1", gw.grant("c-1")).headers().firstValue("X-Airlock-Watermark").orElseThrow();
      assertThat(wm).startsWith("agent=alice; ticket=SUP-1; grant=").contains("; node=test-node; at=").containsPattern("; mac=[A-Za-z0-9_-]{22}$");

      AirlockConfig cfg = gw.node.config();
      assertThat(cli(cfg, "watermark", "verify", wm)).startsWith("0 valid: agent=alice ticket=SUP-1 grant=");
      assertThat(cli(cfg, "watermark", "verify", "X-Airlock-Watermark: " + wm)).startsWith("0 ");
      assertThat(cli(cfg, "watermark", "verify", wm.replace("agent=alice", "agent=bob"))).startsWith("1 INVALID");
      assertThat(cli(cfg, "watermark", "verify", wm.replaceAll("at=[^;]+", "at=2020-01-01T00:00:00Z"))).startsWith("1 INVALID");
      assertThat(cli(cfg, "watermark", "verify", "agent=alice; ticket=SUP-1")).startsWith("1 INVALID");
      // another deployment's key does not vouch for this one's watermarks
      assertThat(new WatermarkMac(new byte[32]).verify(wm)).isEmpty();
    }
  }

  @Test
  void hmacTokensDifferPerAgentStaySteadyAcrossRestartsAndNameTheirViewer() throws Exception {
    String record = "{\"id\":\"c-1\",\"name\":\"Ada\",\"email\":\"ada@example.com\"}";
    String aliceToken;
    String bobToken;
    AirlockConfig cfg;
    try (GatewayHarness gw = GatewayHarness.start(dir, EMAIL_HMAC)) {
      gw.backend.json(record);
      aliceToken = email(gw.get("/clients/c-1", gw.grant("c-1")));
      bobToken = email(gw.get("/clients/c-1", gw.grantFor("bob", Set.of(Action.READ), Set.of(), "c-1")));
      assertThat(aliceToken).startsWith("h:").isNotEqualTo(bobToken);
      assertThat(email(gw.get("/clients/c-1", gw.grant("c-1")))).isEqualTo(aliceToken);
      cfg = gw.node.config();
    }
    try (GatewayHarness again = GatewayHarness.start(dir, EMAIL_HMAC)) {
      again.backend.json(record);
      assertThat(email(again.get("/clients/c-1", again.grant("c-1")))).as("same key file, same token").isEqualTo(aliceToken);
    }

    assertThat(cli(cfg, "watermark", "trace", bobToken, "--value", "ada@example.com"))
        .as("demo mode tries every demo user")
        .isEqualTo("0 " + bobToken + " was shown to agent bob (value of class email)");
    assertThat(cli(cfg, "watermark", "trace", aliceToken, "--value", "ada@example.com", "--agents", "carol,alice"))
        .isEqualTo("0 " + aliceToken + " was shown to agent alice (value of class email)");
    assertThat(cli(cfg, "watermark", "trace", aliceToken, "--value", "eve@example.com")).startsWith("1 ");
  }

  @Test
  void keyFilesAreGeneratedOwnerOnlyInDemoAndRefusedWhenOthersCanReadThemOutsideIt() throws Exception {
    Path keys = dir.resolve("keys");
    AttributionKeys generated = AttributionKeys.load(SecretsConfig.generatedIn(keys));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("watermark.key")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("masking.key")))).isEqualTo("rw-------");
    assertThat(generated.watermarkKey()).isNotEqualTo(generated.maskingKey());

    SecretsConfig production = new SecretsConfig(keys.resolve("watermark.key"), keys.resolve("masking.key"), false);
    assertThat(AttributionKeys.load(production)).isEqualTo(generated);

    Files.setPosixFilePermissions(keys.resolve("masking.key"), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> AttributionKeys.load(production))
        .isInstanceOf(AttributionKeyException.class)
        .hasMessageContaining(keys.resolve("masking.key").toString())
        .hasMessageContaining("rw-r--r--")
        .hasMessageContaining("chmod 600");

    SecretsConfig missing = new SecretsConfig(dir.resolve("nope.key"), keys.resolve("masking.key"), false);
    assertThatThrownBy(() -> AttributionKeys.load(missing))
        .hasMessageContaining(dir.resolve("nope.key").toString())
        .hasMessageContaining("does not exist");

    Path shortKey = dir.resolve("short.key");
    Files.writeString(shortKey, "c2hvcnQ\n");
    Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> AttributionKeys.load(new SecretsConfig(shortKey, keys.resolve("watermark.key"), false)))
        .hasMessageContaining("at least 32 required");
  }

  /** Runs the command line; returns "<exit> <stdout>" trimmed. */
  static String cli(AirlockConfig cfg, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> a = List.of(args).subList(1, args.length);
    int code = WatermarkCli.run(a, cfg, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return (code + " " + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).strip();
  }
}
