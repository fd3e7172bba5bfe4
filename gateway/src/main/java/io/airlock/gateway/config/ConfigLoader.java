package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.config.AccessLogConfig;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.AuditConfig;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.config.DataPlaneConfig;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.config.ListenerConfig;
import io.airlock.policy.config.NodeConfig;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.RevocationConfig;
import io.airlock.policy.config.SecretSource;
import io.airlock.policy.config.SecretsConfig;
import io.airlock.policy.config.TicketsConfig;
import io.airlock.policy.config.ShutdownConfig;
import io.airlock.policy.config.Route;
import io.airlock.policy.mask.MaskingProfile;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Loads and validates a config directory: {@code airlock.yaml} and {@code routes.yaml}
 * (required), {@code masking.yaml} (required once a route names a profile) and {@code
 * policy.yaml} (optional). The YAML is read as a tree and bound by hand so that each problem
 * carries its key path; every problem in every file is reported in one {@link ConfigException}.
 *
 * <p>Key files are only resolved, never read: loading keys is {@code SigningKeys}' job, and a
 * production config points at files this process may not see until it runs as its service user.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  static final String AIRLOCK = "airlock.yaml";
  static final String POLICY = "policy.yaml";
  private static final List<String> FILE_ORDER =
      List.of(AIRLOCK, RoutesBinder.FILE, MaskingBinder.FILE, POLICY);

  static final Duration MAX_LEEWAY = Duration.ofSeconds(30);
  static final Duration MAX_STALENESS_LIMIT = Duration.ofSeconds(60);
  static final Duration MAX_GRANT_TTL_LIMIT = Duration.ofMinutes(60);
  static final String KEY_FILE_SUFFIX = ".jwk.json";

  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  // kids name generated key files, so they must be safe file names too
  private static final Pattern KID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]%_-]+");

  /** With this process's environment variables, at the current time. */
  public static AirlockConfig load(Path configDir) throws ConfigException {
    return load(configDir, System::getenv, Clock.systemUTC());
  }

  /**
   * @param env the environment secrets named by {@code ...Env} keys are read from (tests pass a
   *     map's {@code get}; the process environment is never changed)
   * @param clock "now" for the signing schedule: a config with no key active now is refused
   */
  public static AirlockConfig load(Path configDir, Function<String, String> env, Clock clock) throws ConfigException {
    Path dir = configDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(
          List.of(new ConfigError(dir.toString(), ConfigError.WHOLE_FILE, "not a directory")));
    }
    Problems problems = new Problems();

    YamlFiles.Read airlockFile = YamlFiles.read(dir, AIRLOCK, problems);
    YamlFiles.Read routesFile = YamlFiles.read(dir, RoutesBinder.FILE, problems);
    YamlFiles.Read maskingFile = YamlFiles.read(dir, MaskingBinder.FILE, problems);
    YamlFiles.Read policyFile = YamlFiles.read(dir, POLICY, problems);

    Node node = null;
    if (airlockFile.status() == YamlFiles.Status.MISSING) {
      problems.add(
          AIRLOCK, ConfigError.WHOLE_FILE, "missing (required: listeners, grants and identity)");
    } else if (airlockFile.status() == YamlFiles.Status.OK) {
      node = bindAirlock(dir, airlockFile.root(), problems, env, clock.instant());
    }

    RoutesBinder.Result routes = null;
    if (routesFile.status() == YamlFiles.Status.MISSING) {
      problems.add(
          RoutesBinder.FILE, ConfigError.WHOLE_FILE, "missing (required: at least one route)");
    } else if (routesFile.status() == YamlFiles.Status.OK) {
      routes = RoutesBinder.bind(routesFile.root(), problems, dir);
    }

    MaskingBinder.Result masking = new MaskingBinder.Result(Map.of(), Set.of());
    if (maskingFile.status() == YamlFiles.Status.OK) {
      masking = MaskingBinder.bind(maskingFile.root(), problems);
    }
    if (routes != null) {
      checkProfileRefs(routes, maskingFile.status(), masking, problems);
    }

    PolicyConfig policy = defaultPolicy();
    if (policyFile.status() == YamlFiles.Status.OK) {
      policy = bindPolicy(policyFile.root(), problems);
    }

    if (problems.count() > 0) {
      List<ConfigError> errors = new ArrayList<>(problems.all());
      // stable: within one file, problems stay in the order they were found
      errors.sort(Comparator.comparingInt(e -> FILE_ORDER.indexOf(e.file())));
      throw new ConfigException(errors);
    }
    return new AirlockConfig(
        dir,
        node.node,
        node.dataPlane,
        node.controlPlane,
        node.grants,
        node.revocation,
        node.identity,
        node.accessLog,
        routes.routes(),
        masking.profiles(),
        policy,
        node.audit,
        node.redis,
        node.secrets,
        node.tickets,
        node.shutdown);
  }

  /** Everything airlock.yaml holds. */
  private record Node(
      NodeConfig node,
      DataPlaneConfig dataPlane,
      ListenerConfig controlPlane,
      GrantsConfig grants,
      RevocationConfig revocation,
      IdentityConfig identity,
      AccessLogConfig accessLog,
      AuditConfig audit,
      Optional<RedisConfig> redis,
      SecretsConfig secrets,
      TicketsConfig tickets,
      ShutdownConfig shutdown) {}

  private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.\\[\\]:-]+(:[0-9]{1,5})?");

  /** Exact origins only: a wildcard would let any page read client data with a stolen grant. */
  private static List<String> corsOrigins(Section dp) {
    List<JsonNode> items = dp.list("corsOrigins", null);
    if (items == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode n = items.get(i);
      String v = n.isTextual() ? n.asText() : null;
      if (v == null || !ORIGIN.matcher(v).matches()) {
        dp.report(dp.item("corsOrigins", i), "must be an exact origin like http://127.0.0.1:8081 (scheme, host, optional port; no path, no '*')");
      } else {
        out.add(v);
      }
    }
    return out;
  }

  private static Node bindAirlock(
      Path dir, JsonNode tree, Problems problems, Function<String, String> env, Instant now) {
    Section root =
        Section.of(
            problems,
            AIRLOCK,
            "",
            tree,
            "node",
            "dataPlane",
            "controlPlane",
            "grants",
            "revocation",
            "identity",
            "accessLog",
            "audit",
            "redis",
            "secrets",
            "tickets",
            "shutdown");

    Section n = root.section("node", "id");
    String nodeId = n.string("id", null);
    if (nodeId != null && !NODE_ID.matcher(nodeId).matches()) {
      n.report(n.key("id"), "must be 1-64 letters, digits, '.', '_' or '-'");
    }
    if (nodeId == null) {
      nodeId = "node-" + randomSuffix();
    }

    Section dp =
        root.section(
            "dataPlane",
            "host",
            "port",
            "maxRequestBodyBytes",
            "maxHeaderBytes",
            "maxUriLength",
            "backendConnectTimeout",
            "backendResponseTimeout",
            "corsOrigins",
            "tls");
    String dpHost = host(dp, "127.0.0.1");
    int dpPort = (int) dp.integer("port", 8080, 0, 65535);
    DataPlaneConfig dataPlane =
        new DataPlaneConfig(
            dpHost,
            dpPort,
            dp.size("maxRequestBodyBytes", 1L << 20, 0, 1L << 30),
            (int) dp.size("maxHeaderBytes", 16L << 10, 1L << 10, 1L << 20),
            (int) dp.integer("maxUriLength", 4096, 64, 65536),
            dp.duration("backendConnectTimeout", Duration.ofSeconds(2), false, Duration.ofHours(1)),
            dp.duration(
                "backendResponseTimeout", Duration.ofSeconds(30), false, Duration.ofHours(1)),
            corsOrigins(dp),
            TlsBinder.listener(dp, dpHost, dir));

    Section cp = root.section("controlPlane", "host", "port", "tls");
    String cpHost = host(cp, "127.0.0.1");
    int cpPort = (int) cp.integer("port", 8081, 0, 65535);
    if (cpPort != 0
        && cpPort == dpPort
        && (cpHost.equals(dpHost) || isWildcard(cpHost) || isWildcard(dpHost))) {
      cp.report(cp.key("port"), cpPort + " is already the dataPlane port on the same host");
    }

    GrantsConfig grants = bindGrants(dir, root, problems, env, now);

    Section rev = root.section("revocation", "maxStaleness");
    RevocationConfig revocation =
        new RevocationConfig(
            rev.duration("maxStaleness", Duration.ofSeconds(1), false, MAX_STALENESS_LIMIT));

    Section id = root.requiredSection("identity", "mode: demo or oidc", "mode", "oidc");
    IdentityConfig.Mode mode = IdentityConfig.Mode.OIDC;
    String modeText = id.string("mode", "demo or oidc");
    if (modeText != null) {
      switch (modeText.toLowerCase(Locale.ROOT)) {
        case "demo" -> {
          mode = IdentityConfig.Mode.DEMO;
          if (!Values.isLoopbackHost(cpHost)) {
            // demo identity lets anyone pick who they are: only sane where only this machine can
            // reach the control plane
            id.report(
                id.key("mode"),
                "demo identity needs a loopback controlPlane.host (127.0.0.1, ::1 or localhost), got "
                    + cpHost);
          }
        }
        case "oidc" -> mode = IdentityConfig.Mode.OIDC;
        default ->
            id.report(id.key("mode"), "unknown mode '" + modeText + "' (allowed: demo, oidc)");
      }
    }
    // checked whenever present, so switching modes back and forth never hides a broken section
    boolean oidcRequired = "oidc".equalsIgnoreCase(modeText);
    OidcConfig oidc = null;
    if (oidcRequired || id.has("oidc")) {
      oidc =
          OidcBinder.bind(
              oidcRequired
                  ? id.requiredSection("oidc", "issuer, audience and jwksUri", OidcBinder.KEYS)
                  : id.section("oidc", OidcBinder.KEYS),
              dir,
              env);
    }

    Section log = root.section("accessLog", "enabled");
    AccessLogConfig accessLog = new AccessLogConfig(log.bool("enabled", false));

    return new Node(
        new NodeConfig(nodeId),
        dataPlane,
        new ListenerConfig(cpHost, cpPort, TlsBinder.listener(cp, cpHost, dir)),
        grants,
        revocation,
        new IdentityConfig(mode, Optional.ofNullable(oidc)),
        accessLog,
        AuditBinder.bind(root, dir),
        RedisBinder.bind(root, dir, env),
        SecretsBinder.bind(root, dir, mode == IdentityConfig.Mode.DEMO, env),
        TicketsBinder.bind(root, dir),
        new ShutdownConfig(
            root.section("shutdown", "drainTimeout")
                .duration("drainTimeout", ShutdownConfig.DEFAULT_DRAIN_TIMEOUT, true, Duration.ofMinutes(10))));
  }

  private static GrantsConfig bindGrants(
      Path dir, Section root, Problems problems, Function<String, String> env, Instant now) {
    Section g =
        root.requiredSection(
            "grants",
            "issuer and keys",
            "issuer",
            "activeKid",
            "keys",
            "generateMissingKeysIn",
            "leeway",
            "cacheMaxEntries",
            "maxFailuresPerAddressPerMinute");

    String issuer = g.string("issuer", "the issuer URL, e.g. https://airlock.example.com");
    if (issuer != null) {
      Values.httpUrlProblem(issuer).ifPresent(p -> g.report(g.key("issuer"), p));
    }

    String activeKid = g.string("activeKid", null);
    if (activeKid != null && !KID.matcher(activeKid).matches()) {
      g.report(g.key("activeKid"), "must be 1-64 letters, digits, '.', '_' or '-'");
    }

    Optional<Path> generateDir = Optional.empty();
    String genText = g.string("generateMissingKeysIn", null);
    if (genText != null) {
      generateDir = Optional.ofNullable(resolvePath(dir, g, g.key("generateMissingKeysIn"), genText, true));
    }

    List<GrantsConfig.KeyRef> keys = new ArrayList<>();
    Map<String, String> kidAt = new LinkedHashMap<>();
    Map<Instant, String> startAt = new LinkedHashMap<>();
    boolean keysComplete = true;
    List<JsonNode> items = g.list("keys", "at least one {kid, file} or {kid, env} entry");
    if (items == null) {
      keysComplete = false;
      items = List.of();
    }
    for (int i = 0; i < items.size(); i++) {
      int before = problems.count();
      Section k = Section.of(problems, AIRLOCK, g.item("keys", i), items.get(i), "kid", "file", "env", "activeFrom");
      String kid = k.string("kid", "the key id");
      if (kid != null) {
        if (!KID.matcher(kid).matches()) {
          k.report(k.key("kid"), "must be 1-64 letters, digits, '.', '_' or '-'");
        } else if (kidAt.containsKey(kid)) {
          k.report(k.key("kid"), "duplicate kid '" + kid + "' (also " + kidAt.get(kid) + ")");
        } else {
          kidAt.put(kid, k.key("kid"));
        }
      }
      SecretSource source = SecretBinder.bind(k, "file", "env", dir, env);
      if (source == null && !k.has("file") && !k.has("env")) {
        if (generateDir.isPresent() && kid != null) {
          source = new SecretSource.FromFile(generateDir.get().resolve(kid + KEY_FILE_SUFFIX));
        } else if (generateDir.isEmpty()) {
          k.report(k.key("file"), "missing (required: " + SecretBinder.either(k, "file", "env")
              + " holding the JWK, or set grants.generateMissingKeysIn)");
        }
      }
      Optional<Instant> activeFrom = activeFrom(k);
      activeFrom.ifPresent(from -> {
        if (kid != null && kid.equals(activeKid)) {
          k.report(k.key("activeFrom"), "kid '" + kid + "' is grants.activeKid, which signs from the beginning:"
              + " give it activeFrom or name it in activeKid, not both");
        } else if (startAt.containsKey(from)) {
          k.report(k.key("activeFrom"), from + " is also the activeFrom of " + startAt.get(from)
              + ": two keys cannot start signing at the same instant");
        } else {
          startAt.put(from, k.key("kid"));
        }
      });
      if (problems.count() == before) {
        keys.add(new GrantsConfig.KeyRef(kid, source, activeFrom));
      } else {
        keysComplete = false;
      }
    }
    // only when every kid bound, or a typo in one key would also show up as a wrong activeKid
    if (activeKid != null && keysComplete && !kidAt.containsKey(activeKid)) {
      g.report(
          g.key("activeKid"),
          "'"
              + activeKid
              + "' is not among grants.keys (kids: "
              + String.join(", ", kidAt.keySet())
              + ")");
    }
    if (activeKid == null && keysComplete && !g.has("activeKid")) {
      if (startAt.isEmpty()) {
        g.report(g.key("activeKid"), "missing (required: the kid that signs grants, or activeFrom on the keys that sign)");
      } else if (startAt.keySet().stream().allMatch(from -> from.isAfter(now))) {
        Instant first = startAt.keySet().stream().min(Comparator.naturalOrder()).orElseThrow();
        g.report(g.key("keys"), "no key is active now (" + now + "): the earliest activeFrom is " + first
            + " (" + startAt.get(first) + "); keep the current key with an activeFrom in the past, or as activeKid");
      }
    }

    return new GrantsConfig(
        issuer,
        Optional.ofNullable(activeKid),
        keys,
        generateDir,
        g.duration("leeway", MAX_LEEWAY, true, MAX_LEEWAY),
        g.integer("cacheMaxEntries", 100_000, 1, 100_000_000),
        (int) g.integer("maxFailuresPerAddressPerMinute", 60, 1, 1_000_000));
  }

  /** An ISO-8601 instant with an explicit offset: {@code 2026-12-01T09:00:00Z}. */
  private static Optional<Instant> activeFrom(Section k) {
    String text = k.string("activeFrom", null);
    if (text == null) {
      return Optional.empty();
    }
    Instant from;
    try {
      from = OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      k.report(k.key("activeFrom"), "not an ISO-8601 instant with an offset (e.g. 2026-12-01T09:00:00Z): \"" + text + "\"");
      return Optional.empty();
    }
    if (from.getNano() != 0) {
      // grants are dated in whole seconds and the signer picks the key for that date
      k.report(k.key("activeFrom"), "whole seconds only: \"" + text + "\" has a fraction of a second");
      return Optional.empty();
    }
    return Optional.of(from);
  }

  private static void checkProfileRefs(
      RoutesBinder.Result routes,
      YamlFiles.Status maskingStatus,
      MaskingBinder.Result masking,
      Problems problems) {
    if (routes.profileRefs().isEmpty()) {
      return;
    }
    if (maskingStatus == YamlFiles.Status.MISSING) {
      TreeSet<String> names = new TreeSet<>();
      routes.profileRefs().forEach(r -> names.add(r.profile()));
      problems.add(
          MaskingBinder.FILE,
          ConfigError.WHOLE_FILE,
          "missing (required: routes.yaml names masking profiles " + String.join(", ", names) + ")");
      return;
    }
    if (maskingStatus != YamlFiles.Status.OK) {
      // masking.yaml is broken and already reported; every reference would look unknown
      return;
    }
    for (RoutesBinder.ProfileRef ref : routes.profileRefs()) {
      if (!masking.names().contains(ref.profile())) {
        problems.add(
            RoutesBinder.FILE,
            ref.key(),
            "unknown masking profile '"
                + ref.profile()
                + "' (masking.yaml defines: "
                + (masking.names().isEmpty() ? "none" : String.join(", ", masking.names()))
                + ")");
      }
    }
  }

  private static PolicyConfig defaultPolicy() {
    return PolicyBinder.defaults();
  }

  private static PolicyConfig bindPolicy(JsonNode tree, Problems problems) {
    return PolicyBinder.bind(tree, problems);
  }

  private static String host(Section s, String dflt) {
    String h = s.string("host", null);
    if (h == null) {
      return dflt;
    }
    if (!HOST.matcher(h).matches()) {
      s.report(s.key("host"), "not a host name or IP address: '" + h + "'");
      return dflt;
    }
    return h;
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  /** Syntax only: whether the file exists is for whoever reads it, at the time it reads it. */
  static Path resolvePath(
      Path dir, Section s, String key, String text, boolean directory) {
    if (text.indexOf('\0') >= 0) {
      s.report(key, "not a valid path (contains a NUL character)");
      return null;
    }
    if (!directory && text.endsWith("/")) {
      s.report(key, "must name a file, not end with /");
      return null;
    }
    try {
      return dir.resolve(Path.of(text)).normalize();
    } catch (InvalidPathException e) {
      s.report(key, "not a valid path: " + e.getReason());
      return null;
    }
  }

  private static String randomSuffix() {
    byte[] b = new byte[3];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
