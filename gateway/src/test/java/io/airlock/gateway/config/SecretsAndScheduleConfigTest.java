package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.SecretSource;
import io.airlock.policy.config.SigningSchedule;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 "Keys": every secret from a file or an environment variable (never a YAML value), and
 * the signing schedule ({@code activeKid}, {@code activeFrom}). The environment is a map handed
 * to the loader, never the process's own.
 */
class SecretsAndScheduleConfigTest {
  private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String JWK = "{\"kty\":\"EC\",\"kid\":\"k2\",\"secret-looking\":\"jwk-value-never-shown\"}";
  private static final Map<String, String> ENV = Map.of(
      "AIRLOCK_GRANT_KEY_K2", JWK,
      "AIRLOCK_WATERMARK_KEY", "watermark-value-never-shown",
      "AIRLOCK_MASKING_KEY", "masking-value-never-shown",
      "AIRLOCK_REDIS_PASSWORD", "redis-value-never-shown",
      "AIRLOCK_EMPTY", "");

  @TempDir Path dir;

  private AirlockConfig load(String airlockYaml) throws ConfigException {
    return ConfigLoader.load(new ConfigFiles().with("airlock.yaml", airlockYaml).writeTo(dir), ENV::get, CLOCK);
  }

  private List<String> errors(String airlockYaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(airlockYaml));
    assertThat(e).as("expected errors").isNotNull();
    assertThat(e.getMessage()).doesNotContain("never-shown");
    return e.errors().stream().map(x -> x.key() + ": " + x.problem()).toList();
  }

  @Test
  void every_secret_can_come_from_an_environment_variable() throws Exception {
    AirlockConfig c = load("""
        grants:
          issuer: http://127.0.0.1:8081
          activeKid: k1
          keys:
            - { kid: k1, file: keys/k1.jwk.json }
            - { kid: k2, env: AIRLOCK_GRANT_KEY_K2, activeFrom: 2026-12-01T09:00:00Z }
        identity: { mode: demo }
        secrets: { watermarkKeyEnv: AIRLOCK_WATERMARK_KEY, maskingKeyEnv: AIRLOCK_MASKING_KEY }
        redis: { uri: "redis://127.0.0.1:6379", passwordEnv: AIRLOCK_REDIS_PASSWORD }
        """);
    GrantsConfig g = c.grants();
    assertThat(g.keys().get(0).source()).isEqualTo(new SecretSource.FromFile(dir.toAbsolutePath().normalize().resolve("keys/k1.jwk.json")));
    assertThat(g.keys().get(1).source()).isEqualTo(new SecretSource.FromEnv("AIRLOCK_GRANT_KEY_K2", JWK));
    assertThat(g.keys().get(1).activeFrom()).contains(Instant.parse("2026-12-01T09:00:00Z"));
    assertThat(c.secrets().watermarkKey()).isEqualTo(new SecretSource.FromEnv("AIRLOCK_WATERMARK_KEY", "watermark-value-never-shown"));
    assertThat(c.secrets().maskingKey().describe()).isEqualTo("env AIRLOCK_MASKING_KEY");
    assertThat(c.redis().orElseThrow().password()).contains(new SecretSource.FromEnv("AIRLOCK_REDIS_PASSWORD", "redis-value-never-shown"));
    assertThat(c.toString()).doesNotContain("never-shown");

    String shown = EffectiveConfig.yaml(c);
    assertThat(shown)
        .doesNotContain("never-shown")
        .contains("source: env AIRLOCK_GRANT_KEY_K2")
        .contains("source: file " + dir.toAbsolutePath().normalize().resolve("keys/k1.jwk.json"))
        .contains("activeFrom: 2026-12-01T09:00:00Z")
        .contains("watermarkKey: env AIRLOCK_WATERMARK_KEY")
        .contains("password: env AIRLOCK_REDIS_PASSWORD");
  }

  @Test
  void unset_empty_doubled_and_misnamed_secrets_are_all_reported_at_once_by_name_never_by_value() {
    assertThat(errors("""
        grants:
          issuer: http://127.0.0.1:8081
          activeKid: k1
          keys:
            - { kid: k1, env: AIRLOCK_GRANT_KEY_K1 }
            - { kid: k2, env: AIRLOCK_EMPTY }
            - { kid: k3, file: k3.jwk.json, env: AIRLOCK_GRANT_KEY_K2 }
            - { kid: k4 }
        identity: { mode: demo }
        secrets: { watermarkKeyEnv: "AIRLOCK WATERMARK", maskingKeyFile: m.key, maskingKeyEnv: AIRLOCK_MASKING_KEY }
        redis: { uri: "redis://127.0.0.1:6379", passwordFile: "" }
        """)).containsExactly(
            "grants.keys[0].env: environment variable AIRLOCK_GRANT_KEY_K1 is not set",
            "grants.keys[1].env: environment variable AIRLOCK_EMPTY is empty",
            "grants.keys[2].env: set either grants.keys[2].file or grants.keys[2].env, not both",
            "grants.keys[3].file: missing (required: grants.keys[3].file (a file) or grants.keys[3].env (an environment"
                + " variable) holding the JWK, or set grants.generateMissingKeysIn)",
            "redis.passwordFile: empty (a value is required here)",
            "secrets.watermarkKeyEnv: not an environment variable name (letters, digits and _, not starting with a digit)"
                + ": it names the variable that holds the secret; the secret itself never goes in YAML",
            "secrets.maskingKeyEnv: set either secrets.maskingKeyFile or secrets.maskingKeyEnv, not both");
  }

  @Test
  void a_secret_pasted_into_an_env_key_is_reported_without_ever_being_echoed() throws Exception {
    String notShown = "; the name is not shown because it does not look like an environment variable name"
        + " (upper-case words joined by _, e.g. AIRLOCK_REDIS_PASSWORD) and may be a secret pasted by mistake";
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("""
        grants:
          issuer: http://127.0.0.1:8081
          activeKid: k1
          keys: [ { kid: k1, env: Xk9mQ2pLw7vB } ]
        identity: { mode: demo }
        secrets: { watermarkKeyEnv: JBSWY3DPEHPK3PXP, maskingKeyEnv: pasted_secret_7 }
        redis: { uri: "redis://127.0.0.1:6379", passwordEnv: 84725190 }
        """));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).doesNotContain("Xk9mQ2pLw7vB", "JBSWY3DPEHPK3PXP", "pasted_secret_7", "84725190");
    assertThat(e.errors().stream().map(x -> x.key() + ": " + x.problem()).toList()).containsExactly(
        "grants.keys[0].env: names no variable that is set" + notShown,
        "redis.passwordEnv: expected the name of an environment variable, got a number (not shown: it may be a secret"
            + " pasted by mistake)",
        "secrets.watermarkKeyEnv: names no variable that is set" + notShown,
        "secrets.maskingKeyEnv: names no variable that is set" + notShown);

    // a variable that exists is never a pasted secret, whatever its spelling: it binds and check-config may name it
    Map<String, String> env = Map.of("airlock_grant_key", JWK);
    AirlockConfig c = ConfigLoader.load(new ConfigFiles().with("airlock.yaml", """
        grants:
          issuer: http://127.0.0.1:8081
          activeKid: k1
          keys: [ { kid: k1, file: k1.jwk.json }, { kid: k2, env: airlock_grant_key } ]
        identity: { mode: demo }
        """).writeTo(dir), env::get, CLOCK);
    assertThat(c.grants().keys().get(1).source().describe()).isEqualTo("env airlock_grant_key");
  }

  @Test
  void a_secret_pasted_into_a_file_key_is_reported_without_ever_being_echoed() throws Exception {
    String notShown = "names no file that exists; the value is not shown because it does not look like a file path"
        + " (a directory and a name, or a name with an extension like .key) and may be a secret pasted by"
        + " mistake: the secret goes in the file, this key names the file";
    String pem = "-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\\n-----END PRIVATE KEY-----";
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("""
        grants:
          issuer: http://127.0.0.1:8081
          activeKid: k1
          keys: [ { kid: k1, file: '{"kty":"EC","d":"jwkSecretD"}' }, { kid: k2, file: hunter2 },
                  { kid: k3, file: eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl } ]
        identity: { mode: demo }
        secrets: { watermarkKeyFile: "%s", maskingKeyFile: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP }
        redis: { uri: "redis://127.0.0.1:6379", passwordFile: "c2VjcmV0K3Bhc3N3b3Jk=" }
        """.formatted(pem)));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).doesNotContain("jwkSecretD", "MIGHAgEA", "JBSWY3DP", "c2VjcmV0", "hunter2", "eyJhbGci");
    assertThat(e.errors().stream().map(x -> x.key() + ": " + x.problem()).toList()).containsExactly(
        "grants.keys[0].file: " + notShown,
        "grants.keys[1].file: " + notShown,
        "grants.keys[2].file: " + notShown,
        "redis.passwordFile: " + notShown,
        "secrets.watermarkKeyFile: " + notShown,
        "secrets.maskingKeyFile: " + notShown);

    // paths bind whether or not the file is there yet (the node reads it when it starts, as its
    // user), and a file that is there binds whatever its name
    java.nio.file.Files.writeString(dir.resolve("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), "a file with an odd name");
    AirlockConfig c = load("""
        grants:
          issuer: http://127.0.0.1:8081
          activeKid: k1
          keys: [ { kid: k1, file: keys/k1 }, { kid: k2, file: k2.jwk.json }, { kid: k3, file: redis.password } ]
        identity: { mode: demo }
        secrets: { watermarkKeyFile: /run/secrets/watermark, maskingKeyFile: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP }
        """);
    assertThat(c.grants().keys().stream().map(k -> k.source().describe()).toList())
        .containsExactly("file " + dir.resolve("keys/k1"), "file " + dir.resolve("k2.jwk.json"),
            "file " + dir.resolve("redis.password"));
  }

  @Test
  void a_sub_second_activeFrom_is_refused_naming_the_key() throws Exception {
    assertThat(errors("""
        grants:
          issuer: http://127.0.0.1:8081
          activeKid: k1
          keys:
            - { kid: k1, file: k1.jwk.json }
            - { kid: k2, file: k2.jwk.json, activeFrom: "2026-12-01T09:00:00.5Z" }
            - { kid: k3, file: k3.jwk.json, activeFrom: "2026-12-02T10:00:00.000000001+01:00" }
        identity: { mode: demo }
        """)).containsExactly(
            "grants.keys[1].activeFrom: whole seconds only: \"2026-12-01T09:00:00.5Z\" has a fraction of a second",
            "grants.keys[2].activeFrom: whole seconds only: \"2026-12-02T10:00:00.000000001+01:00\" has a fraction of a second");

    AirlockConfig c = load("""
        grants:
          issuer: http://127.0.0.1:8081
          activeKid: k1
          keys: [ { kid: k1, file: k1.jwk.json }, { kid: k2, file: k2.jwk.json, activeFrom: "2026-12-01T09:00:00.000Z" } ]
        identity: { mode: demo }
        """);
    assertThat(c.grants().keys().get(1).activeFrom()).as("a zero fraction is a whole second")
        .contains(Instant.parse("2026-12-01T09:00:00Z"));
  }

  @Test
  void the_same_variable_for_both_attribution_keys_is_refused() {
    assertThat(errors(ConfigFiles.AIRLOCK + "secrets: { watermarkKeyEnv: AIRLOCK_MASKING_KEY, maskingKeyEnv: AIRLOCK_MASKING_KEY }\n"))
        .containsExactly("secrets.maskingKeyEnv: is the same variable as secrets.watermarkKeyEnv: each key has one purpose");
  }

  @Test
  void activeFrom_alone_schedules_every_signer_and_the_latest_one_at_or_before_now_signs() throws Exception {
    AirlockConfig c = load("""
        grants:
          issuer: http://127.0.0.1:8081
          keys:
            - { kid: k0, file: k0.jwk.json, activeFrom: "2026-05-01T00:00:00+02:00" }
            - { kid: k1, file: k1.jwk.json, activeFrom: 2026-08-01T00:00:00Z }
            - { kid: k2, env: AIRLOCK_GRANT_KEY_K2, activeFrom: 2026-12-01T09:00:00Z }
            - { kid: old, file: old.jwk.json }
        identity: { mode: demo }
        """);
    SigningSchedule s = c.grants().schedule();
    assertThat(c.grants().activeKid()).isEmpty();
    assertThat(s.signingKidAt(NOW)).contains("k1");
    assertThat(s.signingKidAt(Instant.parse("2026-12-01T09:00:00Z"))).contains("k2");
    assertThat(s.signingKidAt(Instant.parse("2026-04-30T22:00:00Z"))).as("the offset counts").contains("k0");
    assertThat(s.signingKidAt(Instant.parse("2026-04-30T21:59:59Z"))).isEmpty();
    assertThat(s.stateAt("k0", NOW)).isEqualTo(SigningSchedule.KeyState.VERIFYING_ONLY);
    assertThat(s.stateAt("k1", NOW)).isEqualTo(SigningSchedule.KeyState.ACTIVE);
    assertThat(s.stateAt("k2", NOW)).isEqualTo(SigningSchedule.KeyState.SCHEDULED);
    assertThat(s.stateAt("old", NOW)).isEqualTo(SigningSchedule.KeyState.VERIFYING_ONLY);
    assertThat(s.handover("k0")).contains(Instant.parse("2026-08-01T00:00:00Z"));
    assertThat(s.lastGrantExpires("k1", c.policy().maxGrantTtl(), c.grants().leeway()))
        .contains(Instant.parse("2026-12-01T10:00:30Z"));
    assertThat(s.lastGrantExpires("old", c.policy().maxGrantTtl(), c.grants().leeway())).isEmpty();
  }

  @Test
  void an_ambiguous_or_empty_schedule_is_refused_naming_the_keys() {
    assertThat(errors("""
        grants:
          issuer: http://127.0.0.1:8081
          activeKid: k1
          keys:
            - { kid: k1, file: k1.jwk.json, activeFrom: 2026-01-01T00:00:00Z }
            - { kid: k2, file: k2.jwk.json, activeFrom: 2026-12-01T09:00:00Z }
            - { kid: k3, file: k3.jwk.json, activeFrom: "2026-12-01T10:00:00+01:00" }
            - { kid: k4, file: k4.jwk.json, activeFrom: 2026-12-01 }
            - { kid: k5, file: k5.jwk.json, activeFrom: tomorrow }
        identity: { mode: demo }
        """)).containsExactly(
            "grants.keys[0].activeFrom: kid 'k1' is grants.activeKid, which signs from the beginning: give it activeFrom"
                + " or name it in activeKid, not both",
            "grants.keys[2].activeFrom: 2026-12-01T09:00:00Z is also the activeFrom of grants.keys[1].kid: two keys cannot"
                + " start signing at the same instant",
            "grants.keys[3].activeFrom: not an ISO-8601 instant with an offset (e.g. 2026-12-01T09:00:00Z): \"2026-12-01\"",
            "grants.keys[4].activeFrom: not an ISO-8601 instant with an offset (e.g. 2026-12-01T09:00:00Z): \"tomorrow\"");

    assertThat(errors("""
        grants:
          issuer: http://127.0.0.1:8081
          keys:
            - { kid: k2, file: k2.jwk.json, activeFrom: 2026-12-01T09:00:00Z }
            - { kid: k1, file: k1.jwk.json }
        identity: { mode: demo }
        """)).containsExactly(
            "grants.keys: no key is active now (2026-11-20T12:00:00Z): the earliest activeFrom is 2026-12-01T09:00:00Z"
                + " (grants.keys[0].kid); keep the current key with an activeFrom in the past, or as activeKid");

    assertThat(errors("""
        grants:
          issuer: http://127.0.0.1:8081
          keys: [ { kid: k1, file: k1.jwk.json } ]
        identity: { mode: demo }
        """)).containsExactly(
            "grants.activeKid: missing (required: the kid that signs grants, or activeFrom on the keys that sign)");
  }

  @Test
  void the_same_config_is_refused_before_its_first_key_is_due_and_accepted_after() throws Exception {
    String yaml = """
        grants:
          issuer: http://127.0.0.1:8081
          keys: [ { kid: k1, file: k1.jwk.json, activeFrom: 2026-11-20T12:00:01Z } ]
        identity: { mode: demo }
        """;
    assertThat(errors(yaml)).hasSize(1);
    AirlockConfig later = ConfigLoader.load(dir, ENV::get, Clock.offset(CLOCK, java.time.Duration.ofSeconds(1)));
    assertThat(later.grants().schedule().signingKidAt(NOW.plusSeconds(1))).isEqualTo(Optional.of("k1"));
  }
}
