package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.config.SecretSource;
import io.airlock.policy.config.UpstreamTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedisBinderTest {
  private final Problems problems = new Problems();

  private Optional<RedisConfig> bind(String yaml) throws Exception {
    var tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    Section root = Section.of(problems, "airlock.yaml", "", tree, "redis", "node");
    return RedisBinder.bind(root, Path.of("/etc/airlock"), Map.of("REDIS_PASSWORD", "s3cret-from-env")::get);
  }

  private List<String> errors() {
    return problems.all().stream().map(e -> e.file() + ": " + e.key() + ": " + e.problem()).toList();
  }

  @Test
  void noRedisKeyMeansTheInProcessStore() throws Exception {
    assertThat(bind("node: {id: a}\n")).isEmpty();
    assertThat(errors()).isEmpty();
  }

  @Test
  void aStandaloneUriTakesTheDefaults() throws Exception {
    RedisConfig c = bind("redis:\n  uri: redis://127.0.0.1:6379\n").orElseThrow();
    assertThat(c.uris()).containsExactly("redis://127.0.0.1:6379");
    assertThat(c.cluster()).isFalse();
    assertThat(c.keyPrefix()).isEqualTo("airlock:");
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void everyKeyCanBeSet() throws Exception {
    RedisConfig c =
        bind(
                """
                redis:
                  uri: rediss-sentinel://s1:26379,s2:26379/0#airlock
                  keyPrefix: "prod-airlock:"
                  commandTimeout: 250ms
                  connectTimeout: 3s
                """)
            .orElseThrow();
    assertThat(c.uris()).containsExactly("rediss-sentinel://s1:26379,s2:26379/0#airlock");
    assertThat(c.keyPrefix()).isEqualTo("prod-airlock:");
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aClusterTakesSeedNodesAsAList() throws Exception {
    RedisConfig c =
        bind(
                """
                redis:
                  cluster: true
                  uri: [redis://10.0.0.1:7000, redis://10.0.0.2:7000]
                """)
            .orElseThrow();
    assertThat(c.cluster()).isTrue();
    assertThat(c.uris()).containsExactly("redis://10.0.0.1:7000", "redis://10.0.0.2:7000");
  }

  @Test
  void everyProblemIsReportedWithItsKey() throws Exception {
    assertThat(
            bind(
                """
                redis:
                  uri: [redis://a:1, redis://b:2]
                  keyPrefix: "air{lock}:"
                  commandTimeout: 0s
                  connectTimeout: 2 minutes
                  pool: 5
                """))
        .isEmpty();
    assertThat(errors())
        .containsExactlyInAnyOrder(
            "airlock.yaml: redis.pool: unknown key (allowed: uri, cluster, keyPrefix, commandTimeout, connectTimeout,"
                + " username, passwordFile, passwordEnv, tls)",
            "airlock.yaml: redis.uri: a list of URIs is only for cluster: true (Sentinel takes one URI:"
                + " redis-sentinel://h1:26379,h2:26379#master)",
            "airlock.yaml: redis.keyPrefix: must be 1-64 characters without whitespace, braces ({ }) or glob"
                + " characters (* ? [ ] \\)",
            "airlock.yaml: redis.commandTimeout: must be greater than 0",
            "airlock.yaml: redis.connectTimeout: invalid duration \"2 minutes\" (expected a number with unit ms,"
                + " s, m or h, e.g. 500ms, 30s, 15m, 1h)");
  }

  @Test
  void uriMistakesAreNamedWithoutEchoingThePassword() throws Exception {
    bind(
        """
        redis:
          uri: http://:s3cret@127.0.0.1:6379
        """);
    bind(
        """
        redis:
          uri: redis-sentinel://s1:26379
        """);
    bind(
        """
        redis:
          cluster: true
          uri: [redis://a:7000, redis-sentinel://s1:26379#m]
        """);
    bind("redis: {}\n");
    assertThat(errors())
        .containsExactly(
            "airlock.yaml: redis.uri: scheme 'http' is not supported (expected redis://host:6379, rediss://...,"
                + " redis-sentinel://host:26379#master, or with cluster: true a list of seed nodes)",
            "airlock.yaml: redis.uri: a Sentinel URI needs the master name after #, e.g."
                + " redis-sentinel://h:26379#mymaster",
            "airlock.yaml: redis.uri[1]: scheme 'redis-sentinel' is not supported with cluster: true (allowed:"
                + " redis://, rediss://)",
            "airlock.yaml: redis.uri: missing (required: redis://host:6379, rediss://...,"
                + " redis-sentinel://host:26379#master, or with cluster: true a list of seed nodes)");
    assertThat(String.join("\n", errors())).doesNotContain("s3cret");
  }

  @Test
  void aPasswordComesFromAFileOrAnEnvironmentVariableAndTlsFromACaBundle() throws Exception {
    RedisConfig fromEnv =
        bind(
                """
                redis:
                  uri: rediss://redis.internal:6380
                  username: airlock
                  passwordEnv: REDIS_PASSWORD
                  tls: { caFile: ca.pem, certFile: /etc/airlock/redis-client.pem, keyFile: redis-client.key }
                """)
            .orElseThrow();
    assertThat(fromEnv.username()).contains("airlock");
    assertThat(fromEnv.password()).contains(new SecretSource.FromEnv("REDIS_PASSWORD", "s3cret-from-env"));
    assertThat(fromEnv.tls()).contains(new UpstreamTls(Path.of("/etc/airlock/ca.pem"),
        Optional.of(Path.of("/etc/airlock/redis-client.pem")), Optional.of(Path.of("/etc/airlock/redis-client.key"))));
    assertThat(fromEnv.toString()).doesNotContain("s3cret").contains("env REDIS_PASSWORD");

    RedisConfig fromFile = bind("redis: { uri: \"redis://127.0.0.1:6379\", passwordFile: keys/redis.password }\n").orElseThrow();
    assertThat(fromFile.password()).contains(new SecretSource.FromFile(Path.of("/etc/airlock/keys/redis.password")));
    assertThat(errors()).isEmpty();
  }

  @Test
  void aPasswordInTheUriIsRefusedNamingTheKeysToUseInsteadAndNeverEchoed() throws Exception {
    bind("redis: { uri: \"rediss://:hunter2@redis.internal:6380\" }\n");
    bind("redis: { uri: \"redis-sentinel://hunter2@s1:26379,s2:26379#m\" }\n");
    bind("redis: { cluster: true, uri: [\"redis://a:7000\", \"redis://user:hunter2@b:7000\"] }\n");
    String hint = ": must not carry user info (a password here would be a secret in airlock.yaml): put the password in"
        + " redis.passwordFile (a file) or redis.passwordEnv (an environment variable), and an ACL user name in"
        + " redis.username";
    assertThat(errors()).containsExactly(
        "airlock.yaml: redis.uri" + hint, "airlock.yaml: redis.uri" + hint, "airlock.yaml: redis.uri[1]" + hint);
    assertThat(String.join("\n", errors())).doesNotContain("hunter2");
  }

  @Test
  void secretAndTlsMistakesAreAllReportedNamingTheVariableButNeverAValue() throws Exception {
    bind("""
        redis:
          uri: redis://127.0.0.1:6379
          username: airlock
          passwordEnv: AIRLOCK_REDIS_PASSWORD
          tls: { caFile: ca.pem }
        """);
    bind("redis: { uri: \"rediss://r:6380\", passwordFile: p, passwordEnv: REDIS_PASSWORD }\n");
    bind("redis: { uri: \"rediss://r:6380?verifyPeer=NONE\", passwordEnv: \"1-not-a-name\" }\n");
    bind("redis: { cluster: true, uri: [\"rediss://a:7000\", \"redis://b:7000\"], tls: { caFile: ca.pem, certFile: c.pem } }\n");
    assertThat(errors()).containsExactly(
        "airlock.yaml: redis.tls: only with rediss:// (TLS) URIs",
        "airlock.yaml: redis.passwordEnv: environment variable AIRLOCK_REDIS_PASSWORD is not set",
        "airlock.yaml: redis.passwordEnv: set either redis.passwordFile or redis.passwordEnv, not both",
        "airlock.yaml: redis.uri: verifyPeer cannot be set: certificate and hostname verification of rediss:// are"
            + " always on (trust a private CA with redis.tls.caFile)",
        "airlock.yaml: redis.passwordEnv: not an environment variable name (letters, digits and _, not starting with a digit)"
            + ": it names the variable that holds the secret; the secret itself never goes in YAML",
        "airlock.yaml: redis.uri: mixes rediss:// and redis:// seeds: use TLS for all of them or for none",
        "airlock.yaml: redis.tls.keyFile: missing (a client certificate needs both certFile and keyFile)");
  }

  @Test
  void anEmptyVariableIsRefusedLikeAnUnsetOne() throws Exception {
    var tree = new ObjectMapper(new YAMLFactory()).readTree("redis: { uri: \"redis://r:6379\", passwordEnv: REDIS_PASSWORD }\n");
    Section root = Section.of(problems, "airlock.yaml", "", tree, "redis");
    assertThat(RedisBinder.bind(root, Path.of("/etc/airlock"), Map.of("REDIS_PASSWORD", " ")::get)).isEmpty();
    assertThat(errors()).containsExactly("airlock.yaml: redis.passwordEnv: environment variable REDIS_PASSWORD is empty");
  }

  @Test
  void aPasswordPastedIntoPasswordEnvIsNeverRepeated() throws Exception {
    bind("redis: { uri: \"redis://r:6379\", passwordEnv: correcthorsebatterystaple }\n");
    bind("redis: { uri: \"redis://r:6379\", passwordEnv: 20260101 }\n");
    assertThat(String.join("\n", errors())).doesNotContain("correcthorse", "20260101");
    assertThat(errors()).containsExactly(
        "airlock.yaml: redis.passwordEnv: names no variable that is set; the name is not shown because it does not look"
            + " like an environment variable name (upper-case words joined by _, e.g. AIRLOCK_REDIS_PASSWORD) and may be"
            + " a secret pasted by mistake",
        "airlock.yaml: redis.passwordEnv: expected the name of an environment variable, got a number (not shown: it may"
            + " be a secret pasted by mistake)");
  }
}
