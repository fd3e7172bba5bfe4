package io.airlock.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.Route;
import io.airlock.policy.mask.MaskingProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration a node would run with, defaults filled in, as YAML for {@code airlock
 * check-config}. Secrets never appear: each one is shown by where it comes from ({@code file
 * /etc/airlock/keys/k.jwk.json} or {@code env AIRLOCK_SIGNING_KEY}), files are never read and
 * variables never printed. Built field by field on purpose, so that a secret added to a config
 * record later is not printed until someone decides how to show it.
 */
public final class EffectiveConfig {
  private EffectiveConfig() {}

  public static String yaml(AirlockConfig c) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("configDir", c.configDir().toString());
    root.put("node", map("id", c.node().id()));
    var dp = c.dataPlane();
    root.put("dataPlane", map(
        "host", dp.host(), "port", dp.port(), "maxRequestBodyBytes", dp.maxRequestBodyBytes(),
        "maxHeaderBytes", dp.maxHeaderBytes(), "maxUriLength", dp.maxUriLength(),
        "backendConnectTimeout", d(dp.backendConnectTimeout()), "backendResponseTimeout", d(dp.backendResponseTimeout()),
        "corsOrigins", dp.corsOrigins(), "tls", tls(dp.tls())));
    root.put("controlPlane", map("host", c.controlPlane().host(), "port", c.controlPlane().port(),
        "tls", tls(c.controlPlane().tls())));
    GrantsConfig g = c.grants();
    List<Object> keys = new ArrayList<>();
    for (GrantsConfig.KeyRef k : g.keys()) {
      Map<String, Object> km = map("kid", k.kid(), "source", k.source().describe());
      k.activeFrom().ifPresent(t -> km.put("activeFrom", t.toString()));
      keys.add(km);
    }
    Map<String, Object> grants = map("issuer", g.issuer());
    g.activeKid().ifPresent(kid -> grants.put("activeKid", kid));
    grants.putAll(map("keys", keys, "leeway", d(g.leeway()),
        "cacheMaxEntries", g.cacheMaxEntries(), "maxFailuresPerAddressPerMinute", g.maxFailuresPerAddressPerMinute()));
    g.generateDir().ifPresent(p -> grants.put("generateMissingKeysIn", p.toString()));
    root.put("grants", grants);
    root.put("revocation", map("maxStaleness", d(c.revocation().maxStaleness())));
    Map<String, Object> identity = map("mode", lower(c.identity().mode()));
    c.identity().oidc().ifPresent(o -> {
      Map<String, Object> oidc = map(
          "issuer", o.issuer(), "audience", o.audience(), "jwksUri", o.jwksUri().toString(), "algorithms", o.algorithms(),
          "userClaim", o.userClaim(), "rolesClaim", o.rolesClaim(), "teamsClaim", o.teamsClaim(),
          "jwksRefresh", d(o.jwksRefresh()));
      // where the client secret comes from, never the secret
      o.signIn().ifPresent(s -> {
        oidc.put("redirectUri", s.redirectUri().toString());
        oidc.put("authorizationEndpoint", s.authorizationEndpoint().map(Object::toString).orElse("from " + o.discoveryUri()));
        oidc.put("tokenEndpoint", s.tokenEndpoint().map(Object::toString).orElse("from " + o.discoveryUri()));
        s.clientSecret().ifPresent(secret -> oidc.put("clientSecret", secret.describe()));
        oidc.put("scopes", s.scopes());
      });
      identity.put("oidc", oidc);
    });
    root.put("identity", identity);
    root.put("accessLog", map("enabled", c.accessLog().enabled()));
    var a = c.audit();
    root.put("audit", map(
        "dir", a.dir().toString(), "durability", lower(a.durability()), "maxBatch", a.maxBatch(),
        "queueCapacity", a.queueCapacity(), "streamMaxLength", a.streamMaxLength()));
    root.put("secrets", map(
        "watermarkKey", c.secrets().watermarkKey().describe(), "maskingKey", c.secrets().maskingKey().describe()));
    c.redis().ifPresentOrElse(
        r -> {
          Map<String, Object> rm = map(
              "uri", r.cluster() ? r.redactedUris() : r.redactedUris().get(0), "cluster", r.cluster(),
              "keyPrefix", r.keyPrefix(), "commandTimeout", d(r.commandTimeout()), "connectTimeout", d(r.connectTimeout()));
          r.username().ifPresent(u -> rm.put("username", u));
          rm.put("password", r.password().map(p -> p.describe()).orElse("none"));
          r.tls().ifPresent(t -> rm.put("tls", upstreamTls(t)));
          root.put("redis", rm);
        },
        () -> root.put("redis", "none (in-process state: a single node)"));
    root.put("shutdown", map("drainTimeout", d(c.shutdown().drainTimeout())));
    List<Object> routes = new ArrayList<>();
    for (Route r : c.routes()) {
      Map<String, Object> m = map(
          "id", r.id(), "path", r.pathTemplate(), "subpaths", r.subpaths(), "backend", r.backend().toString(),
          "methods", List.copyOf(new java.util.TreeSet<>(r.methods())));
      if (r.passthrough()) {
        m.put("passthrough", List.copyOf(r.passthroughTypes()));
      }
      r.maskingProfile().ifPresent(p -> m.put("masking", p));
      r.tls().ifPresent(t -> m.put("tls", upstreamTls(t)));
      routes.add(m);
    }
    root.put("routes", routes);
    Map<String, Object> profiles = new TreeMap<>();
    for (MaskingProfile p : c.maskingProfiles().values()) {
      profiles.put(p.name(), map("mode", lower(p.mode()), "fields", p.fields().size()));
    }
    root.put("maskingProfiles", profiles);
    root.put("policy", map(
        "defaultGrantTtl", d(c.policy().defaultGrantTtl()), "maxGrantTtl", d(c.policy().maxGrantTtl()),
        "requests", String.valueOf(c.policy().requests())));
    try {
      return new YAMLMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)).writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the effective config", e);
    }
  }

  private static Object tls(java.util.Optional<io.airlock.policy.config.TlsConfig> tls) {
    return tls.<Object>map(t -> map("certFile", t.certFile().toString(), "keyFile", t.keyFile().toString(),
            "watchInterval", t.watchInterval().isZero() ? "0s (off: SIGHUP reloads)" : d(t.watchInterval())))
        .orElse("none (plain HTTP, loopback only)");
  }

  private static Map<String, Object> upstreamTls(io.airlock.policy.config.UpstreamTls t) {
    Map<String, Object> tm = map("caFile", t.caFile().toString());
    t.certFile().ifPresent(f -> tm.put("certFile", f.toString()));
    t.keyFile().ifPresent(f -> tm.put("keyFile", f.toString()));
    return tm;
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** The form the config files use: 30s, 10m, 500ms. */
  private static String d(Duration x) {
    if (x.toMillis() % 1000 != 0) {
      return x.toMillis() + "ms";
    }
    long s = x.getSeconds();
    if (s != 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s != 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
