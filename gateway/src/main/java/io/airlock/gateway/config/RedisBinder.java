package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.config.SecretSource;
import io.airlock.policy.config.UpstreamTls;
import io.lettuce.core.RedisURI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Binds {@code redis} in airlock.yaml. Absent means no Redis (the in-process store); present,
 * {@code uri} is required. URIs are parsed with Lettuce's own parser here, so a URI that passes
 * start-up is one the connector can use.
 *
 * <p>A URI never carries credentials: a password in airlock.yaml would be a secret in the config,
 * and Lettuce reads {@code redis://word@host} as a password, so any user info is refused. The
 * password comes from {@code passwordFile} or {@code passwordEnv}, the ACL user from {@code
 * username}. Certificate and hostname verification of {@code rediss://} cannot be turned off.
 */
final class RedisBinder {
  private RedisBinder() {}

  static final String KEY = "redis";
  static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
  private static final List<String> SCHEMES =
      List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel");
  private static final List<String> CLUSTER_SCHEMES = List.of("redis", "rediss");
  // braces move the Cluster hash tag; glob characters make SCAN-by-prefix match other keys
  private static final Pattern PREFIX = Pattern.compile("[^\\s{}*?\\[\\]\\\\]{1,64}");
  private static final String URI_HINT =
      "redis://host:6379, rediss://..., redis-sentinel://host:26379#master,"
          + " or with cluster: true a list of seed nodes";

  /**
   * @param root the top level of airlock.yaml (which must allow the key {@code redis})
   * @return the config, or empty when {@code redis} is absent or had problems (reported)
   */
  static Optional<RedisConfig> bind(Section root, Path dir, Function<String, String> env) {
    if (!root.has(KEY)) {
      return Optional.empty();
    }
    int before = root.problems().count();
    Section r =
        root.requiredSection(
            KEY, "uri", "uri", "cluster", "keyPrefix", "commandTimeout", "connectTimeout", "username",
            "passwordFile", "passwordEnv", "tls");
    boolean cluster = r.bool("cluster", false);
    List<String> uris = uris(r, cluster);
    long secure = uris.stream().filter(RedisBinder::isTls).count();
    if (secure != 0 && secure != uris.size()) {
      r.report(r.key("uri"), "mixes rediss:// and redis:// seeds: use TLS for all of them or for none");
    }
    Optional<UpstreamTls> tls =
        TlsBinder.client(r, dir, secure == 0 && !uris.isEmpty() ? "only with rediss:// (TLS) URIs" : null);
    Optional<String> username = Optional.ofNullable(r.string("username", null));
    Optional<SecretSource> password = Optional.ofNullable(SecretBinder.bind(r, "passwordFile", "passwordEnv", dir, env));
    if (username.isPresent() && password.isEmpty() && !r.has("passwordFile") && !r.has("passwordEnv")) {
      r.report(r.key("username"), "needs a password: " + SecretBinder.either(r, "passwordFile", "passwordEnv"));
    }

    String prefix = RedisConfig.DEFAULT_KEY_PREFIX;
    JsonNode prefixNode = r.value("keyPrefix", null);
    if (prefixNode != null) {
      // not r.string(): a blank prefix is reported below with the reason, not as "empty"
      if (!prefixNode.isTextual()) {
        r.report(r.key("keyPrefix"), "expected text, got " + Values.describe(prefixNode));
      } else if (!PREFIX.matcher(prefixNode.textValue()).matches()) {
        r.report(
            r.key("keyPrefix"),
            "must be 1-64 characters without whitespace, braces ({ }) or glob characters (* ? [ ] \\)");
      } else {
        prefix = prefixNode.textValue();
      }
    }
    Duration commandTimeout =
        r.duration("commandTimeout", RedisConfig.DEFAULT_COMMAND_TIMEOUT, false, MAX_TIMEOUT);
    Duration connectTimeout =
        r.duration("connectTimeout", RedisConfig.DEFAULT_CONNECT_TIMEOUT, false, MAX_TIMEOUT);
    if (root.problems().count() != before || uris.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new RedisConfig(uris, cluster, prefix, commandTimeout, connectTimeout, username, password, tls));
  }

  private static boolean isTls(String uri) {
    return uri.regionMatches(true, 0, "rediss", 0, 6);
  }

  private static List<String> uris(Section r, boolean cluster) {
    JsonNode v = r.value("uri", URI_HINT);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v.isArray()) {
      List<JsonNode> items = r.list("uri", URI_HINT);
      if (items == null) {
        return out;
      }
      if (!cluster && items.size() > 1) {
        r.report(
            r.key("uri"),
            "a list of URIs is only for cluster: true (Sentinel takes one URI:"
                + " redis-sentinel://h1:26379,h2:26379#master)");
        return out;
      }
      for (int i = 0; i < items.size(); i++) {
        String at = r.item("uri", i);
        String u = r.text(at, items.get(i));
        if (u != null && usable(r, at, u, cluster)) {
          out.add(u);
        }
      }
      return out;
    }
    String u = r.text(r.key("uri"), v);
    if (u != null && usable(r, r.key("uri"), u, cluster)) {
      out.add(u);
    }
    return out;
  }

  /** Reports what is wrong with {@code uri}; true when it is usable. */
  private static boolean usable(Section r, String at, String uri, boolean cluster) {
    int colon = uri.indexOf("://");
    String scheme = colon < 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    List<String> allowed = cluster ? CLUSTER_SCHEMES : SCHEMES;
    if (!allowed.contains(scheme)) {
      r.report(
          at,
          (scheme.isEmpty() ? "no scheme" : "scheme '" + scheme + "' is not supported")
              + (cluster ? " with cluster: true (allowed: redis://, rediss://)" : " (expected " + URI_HINT + ")"));
      return false;
    }
    boolean sentinel = scheme.endsWith("sentinel");
    String authority = uri.substring(colon + 3).split("[/?#]", 2)[0];
    if (authority.indexOf('@') >= 0) {
      // no quote of the URI: the user info is the secret
      r.report(at, "must not carry user info (a password here would be a secret in airlock.yaml): put the password in "
          + SecretBinder.either(r, "passwordFile", "passwordEnv") + ", and an ACL user name in " + r.key("username"));
      return false;
    }
    if (uri.toLowerCase(Locale.ROOT).contains("verifypeer")) {
      r.report(at, "verifyPeer cannot be set: certificate and hostname verification of rediss:// are always on"
          + " (trust a private CA with redis.tls.caFile)");
      return false;
    }
    int hash = uri.indexOf('#');
    if (sentinel && (hash < 0 || uri.substring(hash + 1).isBlank())) {
      r.report(at, "a Sentinel URI needs the master name after #, e.g. redis-sentinel://h:26379#mymaster");
      return false;
    }
    RedisURI parsed;
    try {
      parsed = RedisURI.create(uri);
    } catch (RuntimeException e) {
      // Lettuce's message may quote the URI, password included: say what is wrong, not the text
      r.report(at, "not a valid Redis URI (expected " + URI_HINT + ")");
      return false;
    }
    if (!sentinel && (parsed.getHost() == null || parsed.getHost().isBlank())) {
      r.report(at, "has no host");
      return false;
    }
    return true;
  }
}
