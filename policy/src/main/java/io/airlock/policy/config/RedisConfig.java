package io.airlock.policy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code redis.*} in airlock.yaml: where the shared state lives. Absent means no Redis: an
 * in-process store, single node only.
 *
 * @param uris one URI ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}, {@code
 *     rediss-sentinel://}), or with {@code cluster} one or more seed nodes ({@code redis://} or
 *     {@code rediss://})
 * @param cluster Redis Cluster: {@code uris} are seeds, the topology is discovered
 * @param keyPrefix prepended to every key and the events channel; never contains braces, which
 *     would move the Cluster hash tag
 * @param commandTimeout a command that has no answer by then fails (the caller fails closed)
 * @param connectTimeout TCP connect (and handshake) limit
 * @param username ACL user name ({@code AUTH username password}); without it, {@code AUTH password}
 * @param password from {@code redis.passwordFile} or {@code redis.passwordEnv}; never in a URI
 * @param tls for {@code rediss://}: the CA bundle the server's certificate must chain to (hostname
 *     verification is always on) and an optional client certificate; without it, the JVM's trust store
 */
public record RedisConfig(
    List<String> uris,
    boolean cluster,
    String keyPrefix,
    Duration commandTimeout,
    Duration connectTimeout,
    Optional<String> username,
    Optional<SecretSource> password,
    Optional<UpstreamTls> tls) {

  public static final String DEFAULT_KEY_PREFIX = "airlock:";
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(500);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);

  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^@/]*@");

  public RedisConfig {
    uris = List.copyOf(uris);
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("redis.uri: at least one URI is required");
    }
    if (uris.size() > 1 && !cluster) {
      throw new IllegalArgumentException("redis.uri: a list of URIs needs cluster: true");
    }
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException("redis.keyPrefix: must not contain { or }");
    }
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(tls, "tls");
  }

  /** Without credentials or TLS settings of its own. */
  public RedisConfig(
      List<String> uris, boolean cluster, String keyPrefix, Duration commandTimeout, Duration connectTimeout) {
    this(uris, cluster, keyPrefix, commandTimeout, connectTimeout, Optional.empty(), Optional.empty(), Optional.empty());
  }

  public static RedisConfig of(String uri) {
    return new RedisConfig(
        List.of(uri), false, DEFAULT_KEY_PREFIX, DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);
  }

  public RedisConfig withKeyPrefix(String prefix) {
    return new RedisConfig(uris, cluster, prefix, commandTimeout, connectTimeout, username, password, tls);
  }

  public RedisConfig withCredentials(Optional<String> user, Optional<SecretSource> secret) {
    return new RedisConfig(uris, cluster, keyPrefix, commandTimeout, connectTimeout, user, secret, tls);
  }

  public RedisConfig withTls(Optional<UpstreamTls> t) {
    return new RedisConfig(uris, cluster, keyPrefix, commandTimeout, connectTimeout, username, password, t);
  }

  /** The URIs without passwords, for logs and error messages. */
  public List<String> redactedUris() {
    return uris.stream().map(u -> USER_INFO.matcher(u).replaceFirst("***@")).toList();
  }

  // URIs may carry a password: never let it reach a log line through toString
  @Override
  public String toString() {
    return "RedisConfig[uris="
        + redactedUris()
        + ", cluster="
        + cluster
        + ", keyPrefix="
        + keyPrefix
        + ", commandTimeout="
        + commandTimeout
        + ", connectTimeout="
        + connectTimeout
        + ", username="
        + username
        + ", password="
        + password.map(SecretSource::describe)
        + ", tls="
        + tls
        + "]";
  }
}
