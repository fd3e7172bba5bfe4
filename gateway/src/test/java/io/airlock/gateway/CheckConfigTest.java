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
        "redis: { uri: \"redis://airlock:hunter2-secret@redis.internal:6379\" }",
        ""));
    Files.writeString(dir.resolve("users.yaml"), "users:\n  - { id: alice, roles: [agent] }\n");
    Files.writeString(dir.resolve("routes.yaml"), String.join("\n",
        "routes:",
        "  - { id: r1, path: \"/clients/{client}\", backend: http://127.0.0.1:9090, methods: [GET], passthrough: true }",
        ""));

    int code = run("check-config", "--config", dir.toString());

    assertThat(code).as(err.toString()).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("hunter2").doesNotContain(key.getD().toString()).doesNotContain("\"d\"");
    JsonNode y = new YAMLMapper().readTree(text);
    assertThat(y.at("/node/id").asText()).isEqualTo("eu-1");
    assertThat(y.at("/dataPlane/port").asInt()).as("default filled in").isEqualTo(8080);
    assertThat(y.at("/shutdown/drainTimeout").asText()).isEqualTo("10s");
    assertThat(y.at("/grants/keys/0/file").asText()).isEqualTo(keyFile.toString());
    assertThat(y.at("/redis/uri").asText()).isEqualTo("redis://***@redis.internal:6379");
    assertThat(y.at("/routes/0/backend").asText()).isEqualTo("http://127.0.0.1:9090");
    assertThat(y.at("/dataPlane/tls").asText()).startsWith("none (plain HTTP, loopback only)");
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
