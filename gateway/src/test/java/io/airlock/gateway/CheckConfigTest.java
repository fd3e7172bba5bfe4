package io.airlock.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10: {@code airlock check-config} shows what a node would run with, and no secret. */
class CheckConfigTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void prints_the_effective_config_with_defaults_and_without_secrets() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    Path keyFile = dir.resolve("k1.jwk.json");
    Files.writeString(keyFile, key.toJSONString());
    Files.writeString(dir.resolve("airlock.yaml"), String.join("\n",
        "node: { id: eu-1 }",
        "grants:",
        "  issuer: https://airlock.example.com",
        "  activeKid: k1",
        "  keys: [ { kid: k1, file: k1.jwk.json } ]",
        "identity: { mode: demo }",
        "redis: { uri: \"rediss://redis.internal:6380\", username: airlock, passwordFile: keys/redis.password, tls: { caFile: ca.pem } }",
        "secrets: { watermarkKeyFile: keys/wm.key }",
        ""));
    Files.writeString(dir.resolve("users.yaml"), "users:\n  - { id: alice, roles: [agent] }\n");
    Files.writeString(dir.resolve("routes.yaml"), String.join("\n",
        "routes:",
        "  - { id: r1, path: \"/clients/{client}\", backend: http://127.0.0.1:9090, methods: [GET], passthrough: [application/pdf] }",
        ""));

    int code = run("check-config", "--config", dir.toString());

    assertThat(code).as(err.toString()).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("hunter2").doesNotContain(key.getD().toString()).doesNotContain("\"d\"");
    JsonNode y = new YAMLMapper().readTree(text);
    assertThat(y.at("/node/id").asText()).isEqualTo("eu-1");
    assertThat(y.at("/dataPlane/port").asInt()).as("default filled in").isEqualTo(8080);
    assertThat(y.at("/shutdown/drainTimeout").asText()).isEqualTo("10s");
    assertThat(y.at("/grants/keys/0/source").asText()).isEqualTo("file " + keyFile);
    assertThat(y.at("/secrets/watermarkKey").asText()).isEqualTo("file " + dir.resolve("keys/wm.key"));
    assertThat(y.at("/secrets/maskingKey").asText()).as("default").isEqualTo("file " + dir.resolve("keys/masking.key"));
    assertThat(y.at("/redis/uri").asText()).isEqualTo("rediss://redis.internal:6380");
    assertThat(y.at("/redis/password").asText()).isEqualTo("file " + dir.resolve("keys/redis.password"));
    assertThat(y.at("/redis/tls/caFile").asText()).isEqualTo(dir.resolve("ca.pem").toString());
    assertThat(y.at("/routes/0/backend").asText()).isEqualTo("http://127.0.0.1:9090");
    assertThat(y.at("/routes/0/passthrough").toString()).isEqualTo("[\"application/pdf\"]");
    assertThat(y.at("/dataPlane/tls").asText()).startsWith("none (plain HTTP, loopback only)");
  }

  @Test
  void a_password_in_the_redis_uri_an_unset_variable_and_a_pasted_secret_are_refused_naming_the_keys_and_never_a_secret() throws Exception {
    String unset = "AIRLOCK_CHECK_CONFIG_TEST_UNSET_" + System.nanoTime();
    Files.writeString(dir.resolve("airlock.yaml"), String.join("\n",
        "grants: { issuer: https://airlock.example.com, activeKid: k1, keys: [ { kid: k1, env: " + unset + " } ] }",
        "identity: { mode: demo }",
        "secrets: { watermarkKeyEnv: Tr0ub4dorAnd3 }",
        "redis: { uri: \"rediss://airlock:hunter2-secret@redis.internal:6380\" }",
        ""));
    Files.writeString(dir.resolve("routes.yaml"),
        "routes:\n  - { id: r1, path: \"/clients/{client}\", backend: http://127.0.0.1:9090, methods: [GET], passthrough: [application/pdf] }\n");

    assertThat(run("check-config", "--config", dir.toString())).isEqualTo(78);
    assertThat(err.toString())
        .contains("airlock.yaml: grants.keys[0].env: environment variable " + unset + " is not set")
        .contains("airlock.yaml: redis.uri: must not carry user info")
        .contains("redis.passwordFile (a file) or redis.passwordEnv (an environment variable)")
        .contains("airlock.yaml: secrets.watermarkKeyEnv: names no variable that is set; the name is not shown")
        .doesNotContain("hunter2")
        .doesNotContain("Tr0ub4dor");
    assertThat(out.toString()).doesNotContain("Tr0ub4dor");
  }

  @Test
  void an_invalid_directory_exits_78_naming_file_and_key() throws Exception {
    Files.writeString(dir.resolve("airlock.yaml"), "grants: { issuer: x }\nidentity: { mode: demo }\nshutdown: { drainTimeout: forever }\n");
    Files.writeString(dir.resolve("routes.yaml"), "routes: []\n");

    assertThat(run("check-config", "--config", dir.toString())).isEqualTo(78);
    assertThat(err.toString()).contains("airlock.yaml: shutdown.drainTimeout");
    assertThat(out.toString()).isEmpty();
  }

  private int run(String... args) throws Exception {
    return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
