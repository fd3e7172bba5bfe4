package io.airlock.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.grant.Action;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 "Keys": a new kid is published before it signs, grants signed by the previous kid keep
 * working while it is configured, and secret files must be 0600.
 */
class KeyRotationTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void keys_generate_writes_a_private_p256_jwk_with_mode_0600_and_never_overwrites() throws Exception {
    Path file = dir.resolve("k-2026-12.jwk.json");
    assertThat(run("keys", "generate", "--kid", "k-2026-12", "--out", file.toString())).as(err.toString()).isZero();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    ECKey key = JWK.parse(Files.readString(file)).toECKey();
    assertThat(key.isPrivate()).isTrue();
    assertThat(key.getCurve()).isEqualTo(Curve.P_256);
    assertThat(key.getKeyID()).isEqualTo("k-2026-12");
    assertThat(out.toString()).doesNotContain(key.getD().toString());

    String before = Files.readString(file);
    assertThat(run("keys", "generate", "--kid", "k-2026-12", "--out", file.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("already exists");
    assertThat(Files.readString(file)).isEqualTo(before);
  }

  @Test
  void a_rotation_publishes_first_switches_signing_and_keeps_old_grants_valid_until_the_old_kid_is_removed() throws Exception {
    Path k1 = dir.resolve("k1.jwk.json");
    Path k2 = dir.resolve("k2.jwk.json");
    assertThat(run("keys", "generate", "--kid", "k1", "--out", k1.toString())).isZero();
    assertThat(run("keys", "generate", "--kid", "k2", "--out", k2.toString())).isZero();
    try (RecordingBackend backend = RecordingBackend.start()) {
      backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
      AirlockConfig base = TestConfigs.config(dir, backend.uri());

      // step 1: k2 is published while k1 still signs
      String oldGrant;
      try (AirlockNode node = AirlockNode.start(withKeys(base, "k1", k1, k2), Clock.systemUTC())) {
        JWKSet jwks = JWKSet.parse(get("http://127.0.0.1:" + node.controlPlanePort() + "/.well-known/jwks.json", null).body());
        assertThat(jwks.getKeys()).extracting(JWK::getKeyID).containsExactly("k1", "k2");
        assertThat(jwks.getKeys()).noneMatch(JWK::isPrivate);
        oldGrant = grant(node);
        assertThat(data(node, oldGrant).statusCode()).isEqualTo(200);
      }
      // step 2: k2 signs; the grant k1 signed still reads
      try (AirlockNode node = AirlockNode.start(withKeys(base, "k2", k2, k1), Clock.systemUTC())) {
        String newGrant = grant(node);
        assertThat(newGrant).isNotEqualTo(oldGrant);
        assertThat(data(node, oldGrant).statusCode()).as("grant signed by the previous kid").isEqualTo(200);
        assertThat(data(node, newGrant).statusCode()).isEqualTo(200);

        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        Files.writeString(dir.resolve("airlock.yaml"), String.join("\n",
            "grants: { issuer: " + TestConfigs.ISSUER + ", activeKid: k2, keys: [ { kid: k2, file: k2.jwk.json }, { kid: k1, file: k1.jwk.json } ] }",
            "identity: { mode: demo }", ""));
        Files.writeString(dir.resolve("routes.yaml"),
            "routes:\n  - { id: r, path: \"/c/{client}\", backend: \"http://127.0.0.1:9\", methods: [GET], passthrough: true }\n");
        assertThat(Main.run(List.of("keys", "list", "--config", dir.toString()), new PrintStream(listed, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))).as(err.toString()).isZero();
        assertThat(listed.toString()).contains("* k2  " + k2 + "  [private, rw-------]").contains("  k1  " + k1);
      }
      // step 3: once k1 is removed (after its last grant expired), its grants are refused
      try (AirlockNode node = AirlockNode.start(withKeys(base, "k2", k2), Clock.systemUTC())) {
        assertThat(data(node, oldGrant).statusCode()).isEqualTo(401);
      }
    }
  }

  @Test
  void a_signing_key_readable_by_others_stops_start_up_outside_demo_mode() throws Exception {
    Path k1 = dir.resolve("k1.jwk.json");
    assertThat(run("keys", "generate", "--kid", "k1", "--out", k1.toString())).isZero();
    Files.setPosixFilePermissions(k1, PosixFilePermissions.fromString("rw-r--r--"));
    AirlockConfig demo = withKeys(TestConfigs.config(dir, URI.create("http://127.0.0.1:9")), "k1", k1);
    AirlockConfig oidc =
        demo.withIdentity(
            new IdentityConfig(IdentityConfig.Mode.OIDC, Optional.of(new OidcConfig("https://idp.example.com", "airlock",
                URI.create("https://idp.example.com/jwks"), List.of("ES256"), "sub", "roles", "teams", Duration.ofMinutes(10)))));

    assertThatThrownBy(() -> AirlockNode.start(oidc, Clock.systemUTC()))
        .hasMessageContaining("airlock.yaml: grants.keys[0].file: " + k1 + " has mode rw-r--r--");
  }

  private static AirlockConfig withKeys(AirlockConfig c, String active, Path... files) {
    List<GrantsConfig.KeyRef> refs = Stream.of(files)
        .map(f -> new GrantsConfig.KeyRef(f.getFileName().toString().replace(".jwk.json", ""), f)).toList();
    GrantsConfig g = c.grants();
    return c.withGrants(new GrantsConfig(g.issuer(), active, refs, Optional.empty(), g.leeway(), g.cacheMaxEntries(), g.maxFailuresPerAddressPerMinute()));
  }

  private static String grant(AirlockNode node) {
    return new GrantSigner(node.keys(), TestConfigs.ISSUER, Clock.systemUTC())
        .sign(new GrantClaims("alice", "SUP-1", List.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1", List.of("maria"),
            // the store is in-process and new per node: an epoch ahead of now stays current across them
            System.currentTimeMillis() + 3_600_000, Duration.ofMinutes(5)))
        .token();
  }

  private HttpResponse<String> data(AirlockNode node, String token) throws Exception {
    return get("http://127.0.0.1:" + node.dataPlanePort() + "/clients/c-0001", token);
  }

  private HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private int run(String... args) throws Exception {
    out.reset();
    err.reset();
    return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
