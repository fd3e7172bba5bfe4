package io.airlock.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.gateway.config.ConfigError;
import io.airlock.gateway.config.ConfigException;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.config.SecretSource;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** identity.oidc in airlock.yaml, through the real loader: defaults, and one mistake at a time. */
class OidcConfigLoadingTest {
  @TempDir Path dir;

  private static final String BASE =
      """
      grants:
        issuer: http://127.0.0.1:8081
        activeKid: k1
        keys: [ { kid: k1, file: keys/k1.jwk.json } ]
      """;

  private Path write(String identity) throws Exception {
    Files.writeString(dir.resolve("airlock.yaml"), BASE + identity);
    Files.writeString(
        dir.resolve("routes.yaml"),
        "routes:\n  - { id: r1, path: \"/c/{client}\", backend: http://127.0.0.1:9090, passthrough: [application/pdf] }\n");
    return dir;
  }

  private ConfigError onlyError(String identity) throws Exception {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(write(identity)));
    assertThat(e).as("refused").isNotNull();
    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).file()).isEqualTo("airlock.yaml");
    return e.errors().get(0);
  }

  @Test
  void minimalOidcSettingsTakeSafeDefaults() throws Exception {
    IdentityConfig id =
        ConfigLoader.load(
                write(
                    """
                    identity:
                      mode: oidc
                      oidc:
                        issuer: https://idp.example.com/realms/staff
                        audience: airlock
                        jwksUri: https://idp.example.com/certs
                    """))
            .identity();
    assertThat(id.mode()).isEqualTo(IdentityConfig.Mode.OIDC);
    assertThat(id.oidc())
        .contains(
            new OidcConfig(
                "https://idp.example.com/realms/staff",
                "airlock",
                URI.create("https://idp.example.com/certs"),
                List.of("RS256", "ES256"),
                "sub",
                "roles",
                "teams",
                Duration.ofMinutes(10)));
  }

  @Test
  void oidcModeWithoutSettingsIsRefused() throws Exception {
    ConfigError e = onlyError("identity: { mode: oidc }\n");
    assertThat(e.key()).isEqualTo("identity.oidc");
    assertThat(e.problem()).contains("missing (required: issuer, audience and jwksUri)");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "algorithms: [none]|identity.oidc.algorithms[0]|'none' is never accepted",
        "algorithms: [HS256]|identity.oidc.algorithms[0]|'HS256' is never accepted",
        "algorithms: [RS256, RS256]|identity.oidc.algorithms[1]|listed twice",
        "algorithms: [rs256]|identity.oidc.algorithms[0]|unknown algorithm 'rs256'",
        "algorithms: []|identity.oidc.algorithms|empty list",
        "jwksRefresh: 5s|identity.oidc.jwksRefresh|under the minimum of 30s",
        "clientSecret: x|identity.oidc.clientSecret|unknown key",
        "userClaim: ''|identity.oidc.userClaim|empty",
      })
  void oneMistakeOneError(String line, String key, String fragment) throws Exception {
    ConfigError e =
        onlyError(
            """
            identity:
              mode: oidc
              oidc:
                issuer: https://idp.example.com
                audience: airlock
                jwksUri: https://idp.example.com/certs
            """
                + "    " + line + "\n");
    assertThat(e.key()).isEqualTo(key);
    assertThat(e.problem()).contains(fragment);
  }

  @ParameterizedTest
  @CsvSource({
    "http://idp.example.com/certs, must be an https:// URL",
    "https://user:pw@idp.example.com/certs, user info",
    "ftp://idp.example.com/certs, must be an https:// URL",
  })
  void jwksMustComeOverHttpsUnlessLoopback(String uri, String fragment) throws Exception {
    ConfigError e =
        onlyError(
            "identity:\n  mode: oidc\n  oidc: { issuer: https://idp.example.com, audience: a, jwksUri: \""
                + uri + "\" }\n");
    assertThat(e.key()).isEqualTo("identity.oidc.jwksUri");
    assertThat(e.problem()).contains(fragment);

    assertThat(
            ConfigLoader.load(
                    write(
                        "identity:\n  mode: oidc\n  oidc: { issuer: https://idp.example.com, audience: a,"
                            + " jwksUri: \"http://127.0.0.1:8180/certs\" }\n"))
                .identity()
                .oidc()
                .orElseThrow()
                .jwksUri())
        .isEqualTo(URI.create("http://127.0.0.1:8180/certs"));
  }

  private static final String SIGN_IN =
      """
      identity:
        mode: oidc
        oidc:
          issuer: https://idp.example.com/realms/staff
          audience: airlock
          jwksUri: https://idp.example.com/certs
          redirectUri: https://airlock.example.com/auth/oidc/callback
      """;

  private Path secret(String name, String mode) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, "s3cr3t-from-the-idp\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void browserSignInTakesItsEndpointsFromDiscoveryAndItsSecretFromAFile() throws Exception {
    Path file = secret("idp-client.secret", "rw-------");
    OidcConfig oidc = ConfigLoader.load(write(SIGN_IN + "    clientSecretFile: idp-client.secret\n"))
        .identity().oidc().orElseThrow();
    OidcConfig.SignIn s = oidc.signIn().orElseThrow();
    assertThat(s.redirectUri()).isEqualTo(URI.create("https://airlock.example.com/auth/oidc/callback"));
    assertThat(s.uiBase()).isEqualTo(URI.create("https://airlock.example.com/"));
    assertThat(s.authorizationEndpoint()).isEmpty();
    assertThat(s.tokenEndpoint()).isEmpty();
    assertThat(oidc.discoveryUri()).isEqualTo(URI.create("https://idp.example.com/realms/staff/.well-known/openid-configuration"));
    assertThat(s.clientSecret()).contains(new SecretSource.FromFile(file));
    assertThat(s.scopes()).containsExactly("openid");
  }

  @Test
  void withoutRedirectUriThereIsNoBrowserSignIn() throws Exception {
    assertThat(ConfigLoader.load(write(
            "identity: { mode: oidc, oidc: { issuer: https://idp.example.com, audience: a, jwksUri: https://idp.example.com/certs } }\n"))
        .identity().oidc().orElseThrow().signIn())
        .isEmpty();
    ConfigError e = onlyError(
        "identity: { mode: oidc, oidc: { issuer: https://idp.example.com, audience: a, jwksUri: https://idp.example.com/certs,"
            + " scopes: [openid, profile] } }\n");
    assertThat(e.key()).isEqualTo("identity.oidc.scopes");
    assertThat(e.problem()).contains("on only when identity.oidc.redirectUri is set");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "redirectUri: http://airlock.example.com/auth/oidc/callback|identity.oidc.redirectUri|must be an https:// URL (http:// only for a loopback host)",
        "redirectUri: https://airlock.example.com/callback|identity.oidc.redirectUri|must be this control plane's /auth/oidc/callback",
        "redirectUri: https://airlock.example.com/auth/oidc/callback?next=x|identity.oidc.redirectUri|must not have a query",
        "authorizationEndpoint: https://idp.example.com/auth|identity.oidc.tokenEndpoint|go together",
        "tokenEndpoint: https://idp.example.com/token|identity.oidc.authorizationEndpoint|go together",
        "clientSecretFile: nowhere.secret|identity.oidc.clientSecretFile|does not exist",
        "clientSecretEnv: AIRLOCK_TEST_SURELY_UNSET_7F3A|identity.oidc.clientSecretEnv|environment variable AIRLOCK_TEST_SURELY_UNSET_7F3A is not set",
        "clientSecretEnv: 'hunter2 is my secret'|identity.oidc.clientSecretEnv|the secret itself never goes in YAML",
        "clientSecretEnv: hunter2isMySecret|identity.oidc.clientSecretEnv|names no variable that is set; the name is not shown",
        "clientSecret: hunter2|identity.oidc.clientSecret|unknown key (allowed: ",
        "scopes: [profile, email]|identity.oidc.scopes|must contain openid",
        "scopes: [openid, 'a\"b']|identity.oidc.scopes[1]|is not a scope",
      })
  void oneSignInMistakeOneError(String line, String key, String fragment) throws Exception {
    ConfigError e = onlyError(SIGN_IN.replace("    redirectUri:", line.startsWith("redirectUri") ? "    x-removed:" : "    redirectUri:")
        .replace("    x-removed: https://airlock.example.com/auth/oidc/callback\n", "") + "    " + line + "\n");
    assertThat(e.key()).isEqualTo(key);
    assertThat(e.problem()).contains(fragment).doesNotContain("hunter2");
  }

  @Test
  void aSecretFileOthersCanReadOrTwoSecretSourcesAreRefused() throws Exception {
    secret("wide.secret", "rw-r--r--");
    ConfigError e = onlyError(SIGN_IN + "    clientSecretFile: wide.secret\n");
    assertThat(e.key()).isEqualTo("identity.oidc.clientSecretFile");
    assertThat(e.problem()).contains("has mode rw-r--r--").contains("chmod 600");

    secret("narrow.secret", "rw-------");
    e = onlyError(SIGN_IN + "    clientSecretFile: narrow.secret\n    clientSecretEnv: PATH\n");
    assertThat(e.key()).isEqualTo("identity.oidc.clientSecretEnv");
    assertThat(e.problem()).contains("not both");

    assertThat(ConfigLoader.load(write(SIGN_IN + "    clientSecretEnv: PATH\n")).identity().oidc().orElseThrow()
            .signIn().orElseThrow().clientSecret().map(SecretSource::describe))
        .contains("env PATH");
  }

  @Test
  void discoveryNeedsAnIssuerReachableWithoutANetworkAttackerInBetween() throws Exception {
    ConfigError e = onlyError(SIGN_IN.replace("issuer: https://idp.example.com/realms/staff", "issuer: http://idp.example.com/realms/staff"));
    assertThat(e.key()).isEqualTo("identity.oidc.issuer");
    assertThat(e.problem()).contains("must be an https:// URL").contains("openid-configuration");
    // with both endpoints given, the issuer is only compared, never fetched
    assertThat(ConfigLoader.load(write(SIGN_IN.replace("issuer: https://idp.example.com/realms/staff", "issuer: http://idp.example.com/realms/staff")
            + "    authorizationEndpoint: https://idp.example.com/auth\n    tokenEndpoint: https://idp.example.com/token\n"))
        .identity().oidc().orElseThrow().signIn().orElseThrow().tokenEndpoint())
        .contains(URI.create("https://idp.example.com/token"));
  }

  @Test
  void demoModeIsRefusedOffLoopback() throws Exception {
    ConfigError e = onlyError("controlPlane: { host: 0.0.0.0, tls: { certFile: cp.pem, keyFile: cp.key } }\nidentity: { mode: demo }\n");
    assertThat(e.key()).isEqualTo("identity.mode");
    assertThat(e.problem()).contains("loopback");
  }
}
