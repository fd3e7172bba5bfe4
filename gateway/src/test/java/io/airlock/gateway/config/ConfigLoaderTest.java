package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.config.Route;
import io.airlock.policy.mask.Detector;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.MaskingProfile.FieldRule;
import io.airlock.policy.mask.Strategy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void minimalConfigGetsDocumentedDefaults() throws ConfigException {
    AirlockConfig c = ConfigLoader.load(new ConfigFiles().writeTo(dir));

    assertThat(c.configDir()).isEqualTo(dir.toAbsolutePath().normalize());
    assertThat(c.node().id()).matches("node-[0-9a-f]{6}");
    assertThat(c.dataPlane().host()).isEqualTo("127.0.0.1");
    assertThat(c.dataPlane().port()).isEqualTo(8080);
    assertThat(c.dataPlane().maxRequestBodyBytes()).isEqualTo(1024 * 1024);
    assertThat(c.dataPlane().maxHeaderBytes()).isEqualTo(16 * 1024);
    assertThat(c.dataPlane().maxUriLength()).isEqualTo(4096);
    assertThat(c.dataPlane().backendConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.dataPlane().backendResponseTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.controlPlane().host()).isEqualTo("127.0.0.1");
    assertThat(c.controlPlane().port()).isEqualTo(8081);
    assertThat(c.grants().leeway()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.grants().cacheMaxEntries()).isEqualTo(100_000);
    assertThat(c.grants().maxFailuresPerAddressPerMinute()).isEqualTo(60);
    assertThat(c.revocation().maxStaleness()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.accessLog().enabled()).isFalse();
    assertThat(c.policy().defaultGrantTtl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.policy().maxGrantTtl()).isEqualTo(Duration.ofMinutes(60));

    Route r = c.routes().get(0);
    assertThat(r.methods()).containsExactlyInAnyOrder("GET", "HEAD");
    assertThat(r.subpaths()).isFalse();
    assertThat(r.passthrough()).isFalse();
    assertThat(r.passthroughTypes()).isEmpty();

    MaskingProfile p = c.maskingProfiles().get("p1");
    assertThat(p.mode()).isEqualTo(MaskingProfile.Mode.ALLOW);
    assertThat(p.maxDepth()).isEqualTo(64);
    assertThat(p.detectors()).containsExactlyInAnyOrder(Detector.values());
  }

  @Test
  void relativePathsResolveAgainstTheConfigDir() throws ConfigException {
    String airlock =
        ConfigFiles.AIRLOCK
            .replace("      file: keys/k1.jwk.json\n", "")
            .replace("  activeKid: k1\n", "  activeKid: k1\n  generateMissingKeysIn: ../var/keys\n")
            .replace("keys:\n", "keys:\n    - kid: old\n      file: ./keys/../keys/old.jwk.json\n");
    AirlockConfig c =
        ConfigLoader.load(new ConfigFiles().with("airlock.yaml", airlock).writeTo(dir));

    Path base = dir.toAbsolutePath().normalize();
    Path generated = base.getParent().resolve("var/keys");
    assertThat(c.grants().generateDir()).contains(generated);
    assertThat(c.grants().keys().get(0).source()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(base.resolve("keys/old.jwk.json")));
    // no file given: looked up in the generate dir by kid
    assertThat(c.grants().keys().get(1).source()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(generated.resolve("k1.jwk.json")));
  }

  @Test
  void everySettingIsRead() throws ConfigException {
    String airlock =
        """
        node: { id: n-7 }
        dataPlane: { host: 127.0.0.2, port: 0, maxRequestBodyBytes: 10MB, maxHeaderBytes: 8192,
                     maxUriLength: 2048, backendConnectTimeout: 500ms, backendResponseTimeout: 1h }
        controlPlane: { host: localhost, port: 0 }
        grants:
          issuer: https://airlock.example.com
          activeKid: k1
          keys: [ { kid: k1, file: /abs/k1.jwk.json } ]
          leeway: 0s
          cacheMaxEntries: 5
          maxFailuresPerAddressPerMinute: 3
        revocation: { maxStaleness: 250ms }
        identity:
          mode: OIDC
          oidc:
            issuer: https://idp.example.com/realms/staff
            audience: airlock
            jwksUri: https://idp.example.com/certs?appid=airlock
            algorithms: [PS256]
            userClaim: preferred_username
            rolesClaim: groups
            teamsClaim: departments
            jwksRefresh: 1h
        accessLog: { enabled: true }
        """;
    String routes =
        """
        routes:
          - id: files
            path: /files/{client}
            subpaths: true
            backend: https://files.example.com:8443/base/
            methods: [get, POST]
            passthrough: [application/pdf, text/csv]
        """;
    String masking =
        """
        strategies: { bank: hmac, secret: drop }
        profiles:
          p1:
            mode: block
            maxDepth: 10
            detectors: [iban]
            clear: [Id]
            fields: { TwoFactorSecret: secret, IBAN: bank }
            paths: { "$.items[*].Number": card, "$.notes": clear }
        """;
    AirlockConfig c =
        ConfigLoader.load(
            new ConfigFiles()
                .with("airlock.yaml", airlock)
                .with("routes.yaml", routes)
                .with("masking.yaml", masking)
                .with("policy.yaml", "grants: { defaultTtl: 5m, maxTtl: 30m }\n")
                .writeTo(dir));

    assertThat(c.node().id()).isEqualTo("n-7");
    assertThat(c.dataPlane().maxRequestBodyBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(c.dataPlane().maxHeaderBytes()).isEqualTo(8192);
    assertThat(c.dataPlane().backendConnectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.grants().leeway()).isZero();
    assertThat(c.identity().oidc())
        .contains(
            new OidcConfig(
                "https://idp.example.com/realms/staff",
                "airlock",
                URI.create("https://idp.example.com/certs?appid=airlock"),
                List.of("PS256"),
                "preferred_username",
                "groups",
                "departments",
                Duration.ofHours(1)));
    assertThat(c.grants().keys().get(0).source()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(Path.of("/abs/k1.jwk.json")));
    assertThat(c.revocation().maxStaleness()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.accessLog().enabled()).isTrue();
    assertThat(c.policy().defaultGrantTtl()).isEqualTo(Duration.ofMinutes(5));

    Route r = c.routes().get(0);
    assertThat(r.methods()).containsExactlyInAnyOrder("GET", "POST");
    // the forwarder appends the request path, which brings its own leading slash
    assertThat(r.backend().toString()).isEqualTo("https://files.example.com:8443/base");
    assertThat(r.maskingProfile()).isEqualTo(Optional.empty());
    assertThat(r.passthroughTypes()).containsExactly("application/pdf", "text/csv");

    MaskingProfile p = c.maskingProfiles().get("p1");
    assertThat(p.mode()).isEqualTo(MaskingProfile.Mode.BLOCK);
    assertThat(p.maxDepth()).isEqualTo(10);
    assertThat(p.detectors()).containsExactly(Detector.IBAN);
    assertThat(p.fields())
        .containsOnlyKeys("id", "twofactorsecret", "iban")
        .containsEntry("iban", FieldRule.of(FieldClass.BANK));
    assertThat(p.paths()).containsEntry("$.items[*].Number", FieldRule.of(FieldClass.CARD));
    assertThat(p.strategyFor(FieldClass.BANK)).isEqualTo(Strategy.HMAC);
  }

  @Test
  void maskingYamlIsOptionalWhenNoRouteNamesAProfile() throws ConfigException {
    String routes =
        """
        routes:
          - { id: pdf, path: "/statements/{client}", backend: "http://127.0.0.1:9090", passthrough: [application/pdf] }
        """;
    AirlockConfig c =
        ConfigLoader.load(
            new ConfigFiles().with("routes.yaml", routes).with("masking.yaml", null).writeTo(dir));
    assertThat(c.maskingProfiles()).isEmpty();
  }

  @Test
  void moreSpecificRoutesListedFirstLoad() throws ConfigException {
    String routes =
        """
        routes:
          - { id: statements, path: "/clients/{client}/statements", backend: "http://127.0.0.1:9090", passthrough: [application/pdf] }
          - { id: record, path: "/clients/{client}", subpaths: true, backend: "http://127.0.0.1:9090", masking: p1 }
          - { id: exact, path: "/accounts/{client}", backend: "http://127.0.0.1:9090", masking: p1 }
          - { id: below, path: "/accounts/{client}/history", subpaths: true, backend: "http://127.0.0.1:9090", masking: p1 }
          - { id: partial, path: "/{client}/statements", backend: "http://127.0.0.1:9090", masking: p1 }
        """;
    AirlockConfig c = ConfigLoader.load(new ConfigFiles().with("routes.yaml", routes).writeTo(dir));

    assertThat(c.routes()).extracting(Route::id).containsExactly("statements", "record", "exact", "below", "partial");
  }

  @Test
  void anIdenticalPathKeepsItsOwnMessageAndIsNotReportedTwice() {
    String routes =
        """
        routes:
          - { id: a, path: "/accounts/{client}", backend: "http://127.0.0.1:9090", masking: p1 }
          - { id: b, path: "/accounts/{client}", backend: "http://127.0.0.1:9091", masking: p1 }
        """;
    new ConfigFiles().with("routes.yaml", routes).writeTo(dir);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));

    assertThat(e.errors()).extracting(ConfigError::key).containsExactly("routes[1].path");
  }

  @Test
  void everyPassthroughProblemIsReportedAtOnce() {
    String routes =
        """
        routes:
          - { id: a, path: "/a/{client}", backend: "http://127.0.0.1:9090", passthrough: true }
          - { id: b, path: "/b/{client}", backend: "http://127.0.0.1:9090", passthrough: ["text/*", application/json, application/pdf] }
          - { id: c, path: "/c/{client}", backend: "http://127.0.0.1:9090", passthrough: false }
        """;
    new ConfigFiles().with("routes.yaml", routes).writeTo(dir);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));

    assertThat(e.errors())
        .extracting(ConfigError::key)
        .containsExactly("routes[0].passthrough", "routes[1].passthrough[0]", "routes[1].passthrough[1]", "routes[2].masking");
    assertThat(e.getMessage())
        .contains("routes.yaml: routes[0].passthrough: list the media types released unmasked, e.g. [application/pdf]")
        .contains("routes.yaml: routes[2].masking: missing (required: a profile name from masking.yaml (or passthrough: [application/pdf]))");
  }

  @Test
  void everyShadowedRouteIsReportedAtOnce() {
    String routes =
        """
        routes:
          - { id: record, path: "/clients/{client}", subpaths: true, backend: "http://127.0.0.1:9090", masking: p1 }
          - { id: statements, path: "/clients/{client}/statements", backend: "http://127.0.0.1:9090", passthrough: [application/pdf] }
          - { id: overlap, path: "/{client}/statements", backend: "http://127.0.0.1:9090", masking: p1 }
          - { id: transactions, path: "/clients/{client}/transactions", subpaths: true, backend: "http://127.0.0.1:9090", masking: p1 }
        """;
    new ConfigFiles().with("routes.yaml", routes).writeTo(dir);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));

    assertThat(e.errors())
        .extracting(ConfigError::key, ConfigError::problem)
        .containsExactly(
            tuple("routes[1]", "never matches: routes[0] (record) matches every path it does; list more specific paths first"),
            tuple("routes[3]", "never matches: routes[0] (record) matches every path it does; list more specific paths first"));
    assertThat(e.getMessage()).contains("routes.yaml: routes[1]: never matches: routes[0] (record)");
  }

  @Test
  void errorsInDifferentFilesAreReportedTogether() {
    new ConfigFiles()
        .with("airlock.yaml", ConfigFiles.AIRLOCK + "dataPlane: { port: 70000 }\n")
        .with("masking.yaml", ConfigFiles.MASKING.replace("email: email", "email: mail"))
        .writeTo(dir);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));

    assertThat(e.errors())
        .extracting(ConfigError::file, ConfigError::key)
        .containsExactly(
            tuple("airlock.yaml", "dataPlane.port"),
            tuple("masking.yaml", "profiles.p1.fields.email"));
    assertThat(e.getMessage().lines())
        .containsExactly(
            "airlock.yaml: dataPlane.port: 70000 is out of range (allowed: 0 to 65535)",
            "masking.yaml: profiles.p1.fields.email: unknown class 'mail'"
                + " (known: ssn, email, phone, address, dob, bank, card, document, secret)");
  }

  @Test
  void severalMistakesInOneFileAreAllReported() {
    String routes =
        """
        routes:
          - id: r1
            path: /clients
            backend: ftp://x
            methods: []
            masking: p1
            colour: blue
        """;
    new ConfigFiles().with("routes.yaml", routes).writeTo(dir);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));

    assertThat(e.errors())
        .extracting(ConfigError::key)
        .containsExactly(
            "routes[0].colour", "routes[0].path", "routes[0].backend", "routes[0].methods");
  }

  @Test
  void emptyFilesReportRequiredKeysOnce() {
    new ConfigFiles().with("airlock.yaml", "# nothing yet\n").writeTo(dir);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));

    assertThat(e.errors())
        .extracting(ConfigError::key)
        .containsExactly("grants", "identity");
  }

  @Test
  void aMissingDirectoryIsOneError() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope")));
    assertThat(e.errors()).singleElement().satisfies(err -> assertThat(err.problem()).isEqualTo("not a directory"));
  }
}
