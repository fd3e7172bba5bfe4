package io.airlock.gateway.testing;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.airlock.policy.config.AccessLogConfig;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.DataPlaneConfig;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.config.ListenerConfig;
import io.airlock.policy.config.NodeConfig;
import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.RevocationConfig;
import io.airlock.policy.config.Route;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.MaskingProfile.FieldRule;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Programmatic configs for end-to-end tests: loopback, port 0, a fresh signing key. */
public final class TestConfigs {
  public static final String ISSUER = "http://127.0.0.1:8081";
  public static final String KID = "test-kid-1";

  private TestConfigs() {}

  /** The demo staff (same people as config/demo/users.yaml). */
  public static final String DEMO_USERS =
      String.join(
          "\n",
          "users:",
          "  - { id: alice, roles: [agent], teams: [payments] }",
          "  - { id: bob, roles: [agent], teams: [payments] }",
          "  - { id: carol, roles: [agent], teams: [kyc] }",
          "  - { id: maria, roles: [manager], teams: [payments] }",
          "  - { id: omar, roles: [manager], teams: [kyc] }",
          "  - { id: sam, roles: [security] }",
          "  - { id: tess, roles: [security] }",
          "");

  /** The client-record profile the tests assert against (allow mode). */
  public static MaskingProfile clientProfile() {
    return new MaskingProfile(
        "client-record",
        MaskingProfile.Mode.ALLOW,
        Map.ofEntries(
            Map.entry("id", FieldRule.CLEAR),
            Map.entry("name", FieldRule.CLEAR),
            Map.entry("status", FieldRule.CLEAR),
            Map.entry("currency", FieldRule.CLEAR),
            Map.entry("amount", FieldRule.CLEAR),
            Map.entry("clientid", FieldRule.CLEAR),
            Map.entry("description", FieldRule.CLEAR),
            Map.entry("at", FieldRule.CLEAR),
            Map.entry("email", FieldRule.of(FieldClass.EMAIL)),
            Map.entry("ssn", FieldRule.of(FieldClass.SSN)),
            Map.entry("iban", FieldRule.of(FieldClass.BANK)),
            Map.entry("twofactorsecret", FieldRule.of(FieldClass.SECRET))),
        Map.of(),
        Set.of(io.airlock.policy.mask.Detector.values()),
        Map.of(),
        MaskingProfile.DEFAULT_MAX_DEPTH);
  }

  /** Audit into {@code dir/audit}, durable (sync), as production runs it. */
  public static io.airlock.policy.config.AuditConfig audit(Path dir) {
    return new io.airlock.policy.config.AuditConfig(
        dir.resolve("audit"), io.airlock.policy.config.AuditConfig.Durability.SYNC, 512, 65_536, 100_000);
  }

  /**
   * A config with routes to {@code backend}: {@code /clients/{client}} (and below, masked),
   * {@code /raw/{client}} (passthrough of {@link #RAW_TYPES}, no profile), {@code /write/{client}}
   * allowing POST, and {@code /statements/{client}} (passthrough of application/pdf only, with
   * the client-record profile for its JSON).
   */
  /** What {@code /raw/{client}} releases unmasked, in this order (its backend Accept). */
  public static final java.util.Set<String> RAW_TYPES =
      java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(List.of("application/pdf", "text/csv", "text/plain")));

  public static AirlockConfig config(Path dir, URI backend) throws Exception {
    Path keyFile = dir.resolve(KID + ".jwk.json");
    if (!Files.exists(keyFile)) {
      ECKey key = new ECKeyGenerator(Curve.P_256).keyID(KID).generate();
      Files.writeString(keyFile, key.toJSONString());
    }
    Path users = dir.resolve("users.yaml");
    if (!Files.exists(users)) {
      Files.writeString(users, DEMO_USERS);
    }
    MaskingProfile profile = clientProfile();
    return new AirlockConfig(
        dir,
        new NodeConfig("test-node"),
        new DataPlaneConfig("127.0.0.1", 0, 64 * 1024, 16 * 1024, 2048, Duration.ofSeconds(2), Duration.ofSeconds(10),
            List.of("http://ui.test:8081")),
        new ListenerConfig("127.0.0.1", 0),
        new GrantsConfig(
            ISSUER, KID, List.of(new GrantsConfig.KeyRef(KID, keyFile)), Optional.empty(), Duration.ofSeconds(30), 10_000, 1000),
        new RevocationConfig(Duration.ofSeconds(1)),
        new IdentityConfig(IdentityConfig.Mode.DEMO),
        new AccessLogConfig(false),
        List.of(
            new Route("client", "/clients/{client}", true, backend, Set.of("GET", "HEAD"), Optional.of(profile.name()), Set.of()),
            new Route("raw", "/raw/{client}", true, backend, Set.of("GET"), Optional.empty(), RAW_TYPES),
            new Route("write", "/write/{client}", true, backend, Set.of("GET", "POST"), Optional.of(profile.name()), Set.of()),
            new Route("statements", "/statements/{client}", true, backend, Set.of("GET"), Optional.of(profile.name()), Set.of("application/pdf"))),
        Map.of(profile.name(), profile),
        new PolicyConfig(Duration.ofMinutes(15), Duration.ofMinutes(60)),
        audit(dir),
        Optional.empty());
  }
}
