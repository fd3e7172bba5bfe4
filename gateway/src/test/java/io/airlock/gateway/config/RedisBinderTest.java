package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.airlock.policy.config.RedisConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedisBinderTest {
  private final Problems problems = new Problems();

  private Optional<RedisConfig> bind(String yaml) throws Exception {
    var tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    Section root = Section.of(problems, "airlock.yaml", "", tree, "redis", "node");
    return RedisBinder.bind(root);
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
            "airlock.yaml: redis.pool: unknown key (allowed: uri, cluster, keyPrefix, commandTimeout, connectTimeout)",
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
}
