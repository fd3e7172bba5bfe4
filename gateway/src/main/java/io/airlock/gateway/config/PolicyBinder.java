package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.QuotaPolicy;
import io.airlock.policy.config.RequestPolicy;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.staff.Role;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Binds policy.yaml: grant lifetimes ({@code grants}), what a request may ask for ({@code
 * requests}) and who approves it ({@code approvals}). Every key is optional; absent keys take the
 * defaults of {@link PolicyConfig#defaults()}. Values that make approval impossible (a security
 * approver required but security not an approver role) are refused here rather than leaving every
 * such request pending until it expires.
 */
final class PolicyBinder {
  private PolicyBinder() {}

  static final String FILE = ConfigLoader.POLICY;
  static final Duration MAX_PENDING_TIMEOUT = Duration.ofHours(24);
  static final int MAX_CLIENTS_LIMIT = 1000;
  static final int MAX_REASON_LIMIT = 10_000;
  static final int MAX_APPROVALS_LIMIT = 10;
  static final int MAX_QUOTA = 100_000;
  // the pattern is matched against agent input on every request: keep operators' regexes modest
  static final int MAX_PATTERN_LENGTH = 200;

  static PolicyConfig defaults() {
    return PolicyConfig.defaults();
  }

  static PolicyConfig bind(JsonNode tree, Problems problems) {
    int before = problems.count();
    Section root =
        Section.of(problems, FILE, "", tree, "grants", "requests", "approvals", "quotas", "honeyClients");
    PolicyConfig d = defaults();
    RequestPolicy dr = d.requests();
    RequestPolicy.Approvals da = dr.approvals();

    Section g = root.section("grants", "defaultTtl", "maxTtl");
    Duration max = g.duration("maxTtl", d.maxGrantTtl(), false, ConfigLoader.MAX_GRANT_TTL_LIMIT);
    int ttlBefore = problems.count();
    Duration dflt = g.duration("defaultTtl", d.defaultGrantTtl(), false, null);
    if (problems.count() == ttlBefore && dflt.compareTo(max) > 0) {
      g.report(
          g.key("defaultTtl"),
          Values.formatDuration(dflt)
              + " is longer than grants.maxTtl ("
              + Values.formatDuration(max)
              + ")");
    }

    Section rq =
        root.section(
            "requests", "ticketPattern", "maxClients", "clientPattern", "reasonLength", "pendingTimeout");
    String ticketPattern = pattern(rq, "ticketPattern", dr.ticketPattern());
    int maxClients = (int) rq.integer("maxClients", dr.maxClients(), 1, MAX_CLIENTS_LIMIT);
    String clientPattern = pattern(rq, "clientPattern", dr.clientPattern());
    Section len = rq.section("reasonLength", "min", "max");
    int lenBefore = problems.count();
    int minLen = (int) len.integer("min", dr.reasonMinLength(), 1, MAX_REASON_LIMIT);
    int maxLen = (int) len.integer("max", dr.reasonMaxLength(), 1, MAX_REASON_LIMIT);
    if (problems.count() == lenBefore && minLen > maxLen) {
      len.report(len.key("min"), minLen + " is more than requests.reasonLength.max (" + maxLen + ")");
    }
    Duration pendingTimeout =
        rq.duration("pendingTimeout", dr.pendingTimeout(), false, MAX_PENDING_TIMEOUT);

    Section ap =
        root.section(
            "approvals", "required", "approverRoles", "sameTeam", "sensitiveClasses", "write");
    int required = (int) ap.integer("required", da.required(), 1, MAX_APPROVALS_LIMIT);
    int rolesBefore = problems.count();
    Set<Role> roles = approverRoles(ap, da.approverRoles());
    boolean rolesBound = problems.count() == rolesBefore;
    boolean sameTeam = ap.bool("sameTeam", da.sameTeam());
    Set<FieldClass> sensitive = sensitiveClasses(ap, da.sensitiveClasses());
    Section w = ap.section("write", "required", "securityRequired");
    int writeRequired = (int) w.integer("required", da.writeRequired(), 1, MAX_APPROVALS_LIMIT);
    boolean writeSecurity = w.bool("securityRequired", da.writeSecurityRequired());
    // only on a cleanly bound list: a typo in 'security' is one mistake, reported once
    if (rolesBound && !roles.contains(Role.SECURITY)) {
      // otherwise every such request would wait for an approver nobody is allowed to be
      if (writeSecurity) {
        ap.report(
            ap.key("approverRoles"),
            "lacks security, but approvals.write.securityRequired is true (add security, or set it to false)");
      } else if (!sensitive.isEmpty()) {
        ap.report(
            ap.key("approverRoles"),
            "lacks security, but approvals.sensitiveClasses need a security approver (add security)");
      }
    }

    QuotaPolicy dq = d.quotas();
    Section q = root.section("quotas", "clientsPerHour", "clientsPerDay", "requestedClientsPerDay");
    int quotasBefore = problems.count();
    int perHour = (int) q.integer("clientsPerHour", dq.clientsPerHour(), 1, MAX_QUOTA);
    int perDay = (int) q.integer("clientsPerDay", dq.clientsPerDay(), 1, MAX_QUOTA);
    int requestedPerDay = (int) q.integer("requestedClientsPerDay", dq.requestedClientsPerDay(), 1, MAX_QUOTA);
    if (problems.count() == quotasBefore && perHour > perDay) {
      q.report(q.key("clientsPerHour"), perHour + " is more than quotas.clientsPerDay (" + perDay + ")");
    }
    Set<String> honey = honeyClients(root, clientPattern);

    if (problems.count() != before) {
      // the loader refuses to start; a record built from failed values could not even be built
      return d;
    }
    return new PolicyConfig(
        dflt,
        max,
        new RequestPolicy(
            ticketPattern,
            maxClients,
            clientPattern,
            minLen,
            maxLen,
            pendingTimeout,
            new RequestPolicy.Approvals(
                required, roles, sameTeam, sensitive, writeRequired, writeSecurity)),
        new QuotaPolicy(perHour, perDay, requestedPerDay),
        honey);
  }

  /** Honey client ids: ordinary-looking ids (they must pass the client pattern), each once. */
  private static Set<String> honeyClients(Section s, String clientPattern) {
    List<JsonNode> items = s.list("honeyClients", null);
    if (items == null) {
      return Set.of();
    }
    Pattern p = Pattern.compile(clientPattern);
    Set<String> out = new java.util.LinkedHashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String at = s.item("honeyClients", i);
      String id = s.text(at, items.get(i));
      if (id == null) {
        continue;
      }
      if (!p.matcher(id).matches()) {
        s.report(at, "'" + id + "' is not a client id (requests.clientPattern): no request could ever name it");
      } else if (!out.add(id)) {
        s.report(at, "'" + id + "' listed twice");
      }
    }
    return out;
  }

  /** A regular expression that ids must match whole; it may not accept an empty id. */
  private static String pattern(Section s, String k, String dflt) {
    String p = s.string(k, null);
    if (p == null) {
      return dflt;
    }
    if (p.length() > MAX_PATTERN_LENGTH) {
      s.report(s.key(k), "longer than " + MAX_PATTERN_LENGTH + " characters");
      return dflt;
    }
    Pattern compiled;
    try {
      compiled = Pattern.compile(p);
    } catch (PatternSyntaxException e) {
      s.report(s.key(k), "not a valid regular expression: " + e.getDescription() + " at index " + e.getIndex());
      return dflt;
    }
    if (compiled.matcher("").matches()) {
      s.report(s.key(k), "matches the empty string (an id must never be empty)");
      return dflt;
    }
    return p;
  }

  private static Set<Role> approverRoles(Section s, Set<Role> dflt) {
    return codes(
        s,
        "approverRoles",
        dflt,
        Role.class,
        Role::code,
        r -> r == Role.AGENT ? "agents never approve (allowed: manager, security)" : null);
  }

  private static Set<FieldClass> sensitiveClasses(Section s, Set<FieldClass> dflt) {
    return codes(
        s,
        "sensitiveClasses",
        dflt,
        FieldClass.class,
        FieldClass::code,
        f -> f == FieldClass.SECRET ? "secret is never shown in clear, so it cannot be requested at all" : null);
  }

  /**
   * A list of enum codes, exactly as written (lower case), each once.
   *
   * @param refuse why a known value is not allowed here, or null when it is
   */
  private static <E extends Enum<E>> Set<E> codes(
      Section s,
      String k,
      Set<E> dflt,
      Class<E> type,
      Function<E, String> code,
      Function<E, String> refuse) {
    List<JsonNode> items = s.list(k, null);
    if (items == null) {
      return dflt;
    }
    List<E> allowed =
        Arrays.stream(type.getEnumConstants()).filter(e -> refuse.apply(e) == null).toList();
    String known = allowed.stream().map(code).collect(Collectors.joining(", "));
    Set<E> out = EnumSet.noneOf(type);
    for (int i = 0; i < items.size(); i++) {
      String at = s.item(k, i);
      String text = s.text(at, items.get(i));
      if (text == null) {
        continue;
      }
      E value = null;
      for (E e : type.getEnumConstants()) {
        if (code.apply(e).equals(text)) {
          value = e;
        }
      }
      if (value == null) {
        s.report(at, "unknown value '" + text + "' (allowed: " + known + ")");
      } else if (refuse.apply(value) != null) {
        s.report(at, refuse.apply(value));
      } else if (!out.add(value)) {
        s.report(at, "'" + text + "' listed twice");
      }
    }
    return out;
  }
}
