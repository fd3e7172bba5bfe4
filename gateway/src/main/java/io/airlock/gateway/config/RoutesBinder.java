package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.config.Route;
import io.airlock.policy.route.RouteTable;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Binds routes.yaml. Masking profile names are checked later, against masking.yaml. */
final class RoutesBinder {
  private RoutesBinder() {}

  static final String FILE = "routes.yaml";
  static final String CLIENT = "{client}";

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  // unreserved and sub-delims only: '%' is excluded so a template never needs decoding to match
  private static final Pattern LITERAL_SEGMENT = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@-]+");
  // RFC 6838 restricted names, lower case
  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");
  // CONNECT and TRACE are left out on purpose: tunnels and reflected headers have no place here
  static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
  static final Set<String> DEFAULT_METHODS = Set.of("GET", "HEAD");

  /** A route's reference to a masking profile, with where it was written. */
  record ProfileRef(String profile, String key) {}

  record Result(List<Route> routes, List<ProfileRef> profileRefs) {}

  static Result bind(JsonNode tree, Problems problems) {
    return bind(tree, problems, null);
  }

  /** @param dir the config directory relative file paths resolve against */
  static Result bind(JsonNode tree, Problems problems, java.nio.file.Path dir) {
    Section root = Section.of(problems, FILE, "", tree, "routes");
    List<Route> routes = new ArrayList<>();
    List<ProfileRef> refs = new ArrayList<>();
    List<JsonNode> items = root.list("routes", "at least one route");
    if (items == null) {
      return new Result(routes, refs);
    }
    Map<String, String> idAt = new LinkedHashMap<>();
    Map<String, String> pathAt = new LinkedHashMap<>();
    // where each bound route stands in the file, for problems found across routes
    List<Integer> boundAt = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      int before = problems.count();
      Section r =
          Section.of(
              problems,
              FILE,
              root.item("routes", i),
              items.get(i),
              "id",
              "path",
              "subpaths",
              "backend",
              "methods",
              "masking",
              "passthrough",
              "tls");

      String id = r.string("id", "a stable route name, e.g. client-record");
      if (id != null) {
        if (!ID.matcher(id).matches()) {
          r.report(r.key("id"), "must be 1-64 letters, digits, '.', '_' or '-'");
        } else if (idAt.containsKey(id)) {
          r.report(r.key("id"), "duplicate route id '" + id + "' (also " + idAt.get(id) + ")");
        } else {
          idAt.put(id, r.key("id"));
        }
      }

      String path =
          r.string("path", "a path template with one {client} segment, e.g. /clients/{client}");
      if (path != null) {
        Optional<String> problem = templateProblem(path);
        if (problem.isPresent()) {
          r.report(r.key("path"), problem.get());
        } else if (pathAt.containsKey(path)) {
          r.report(
              r.key("path"),
              "same path as " + pathAt.get(path) + " (the later route could never match)");
        } else {
          pathAt.put(path, r.key("path"));
        }
      }

      boolean subpaths = r.bool("subpaths", false);

      URI backend = null;
      String backendText = r.string("backend", "base URL like http://127.0.0.1:9090");
      if (backendText != null) {
        Optional<String> problem = Values.httpUrlProblem(backendText);
        if (problem.isPresent()) {
          r.report(r.key("backend"), problem.get() + " (expected a base URL like http://127.0.0.1:9090)");
        } else {
          backend = withoutTrailingSlash(URI.create(backendText));
        }
      }

      Set<String> methods = methods(r);
      JsonNode passthroughNode = r.value("passthrough", null);
      // a refused passthrough still counts as meant: "masking missing" would only echo it
      boolean passthrough = passthroughNode != null && !(passthroughNode.isBoolean() && !passthroughNode.booleanValue());
      Set<String> passthroughTypes = passthroughTypes(r, passthroughNode);
      String masking =
          r.string(
              "masking",
              passthrough ? null : "a profile name from masking.yaml (or passthrough: [application/pdf])");
      if (masking != null) {
        refs.add(new ProfileRef(masking, r.key("masking")));
      }

      Optional<io.airlock.policy.config.UpstreamTls> tls = TlsBinder.upstream(r, backend, dir);

      if (problems.count() == before) {
        routes.add(
            new Route(
                id, path, subpaths, backend, methods, Optional.ofNullable(masking), passthroughTypes, tls));
        boundAt.add(i);
      }
    }
    for (RouteTable.Shadowed s : RouteTable.unreachable(routes)) {
      Route by = routes.get(s.by());
      String methodsNote =
          by.methods().containsAll(routes.get(s.index()).methods())
              ? ""
              : " (routes match by path alone: a method " + by.id() + " does not allow gets 405 from it, not this route)";
      root.report(
          root.item("routes", boundAt.get(s.index())),
          "never matches: " + root.item("routes", boundAt.get(s.by())) + " (" + by.id()
              + ") matches every path it does; list more specific paths first" + methodsNote);
    }
    return new Result(routes, refs);
  }

  /**
   * The media types a route releases unmasked: absent or {@code false} for none. Never {@code
   * true}: the agent chooses Accept and the query string, so "any non-JSON type" includes the XML,
   * CSV or JSONP rendering of the very record the profile masks.
   */
  private static Set<String> passthroughTypes(Section r, JsonNode v) {
    String key = r.key("passthrough");
    if (v == null || (v.isBoolean() && !v.booleanValue())) {
      return Set.of();
    }
    if (v.isBoolean()) {
      r.report(key, "list the media types released unmasked, e.g. [application/pdf]; true would release"
          + " any non-JSON type the backend can be asked for (XML, CSV, JSONP)");
      return Set.of();
    }
    if (!v.isArray()) {
      r.report(key, "expected a list of media types, e.g. [application/pdf], got " + Values.describe(v));
      return Set.of();
    }
    if (v.isEmpty()) {
      r.report(key, "empty list: list the media types released unmasked, e.g. [application/pdf], or remove the key");
      return Set.of();
    }
    Set<String> types = new LinkedHashSet<>();
    for (int i = 0; i < v.size(); i++) {
      String at = r.item("passthrough", i);
      String t = r.text(at, v.get(i));
      if (t == null) {
        continue;
      }
      Optional<String> problem = passthroughTypeProblem(t);
      if (problem.isPresent()) {
        r.report(at, problem.get());
      } else if (!types.add(t)) {
        r.report(at, "'" + t + "' listed twice");
      }
    }
    return types;
  }

  static Optional<String> passthroughTypeProblem(String t) {
    if (t.contains("*")) {
      return Optional.of("'" + t + "': no wildcards, they would release types nobody chose; name each type, e.g. application/pdf");
    }
    if (t.toLowerCase(Locale.ROOT).contains("json")) {
      return Optional.of("'" + t + "': JSON never passes unmasked; it is masked with the route's masking profile");
    }
    if (t.contains(";")) {
      return Optional.of("'" + t + "': no parameters (they are ignored when matching); write only type/subtype, e.g. text/csv");
    }
    if (!t.equals(t.toLowerCase(Locale.ROOT))) {
      return Optional.of("'" + t + "': write media types in lower case ('" + t.toLowerCase(Locale.ROOT) + "')");
    }
    if (!MEDIA_TYPE.matcher(t).matches()) {
      return Optional.of("'" + t + "' is not a media type like application/pdf");
    }
    return Optional.empty();
  }

  private static Set<String> methods(Section r) {
    List<JsonNode> items = r.list("methods", null);
    if (items == null) {
      return DEFAULT_METHODS;
    }
    Set<String> methods = new LinkedHashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String at = r.item("methods", i);
      String m = r.text(at, items.get(i));
      if (m == null) {
        continue;
      }
      String upper = m.toUpperCase(Locale.ROOT);
      if (!METHODS.contains(upper)) {
        r.report(
            at, "unknown or forbidden method '" + m + "' (allowed: " + String.join(", ", METHODS) + ")");
      } else if (!methods.add(upper)) {
        r.report(at, "method '" + upper + "' listed twice");
      }
    }
    return methods;
  }

  /** Why a path template is unusable, or empty when it is fine. */
  static Optional<String> templateProblem(String path) {
    if (!path.startsWith("/")) {
      return Optional.of("must start with /");
    }
    if (path.length() > 1 && path.endsWith("/")) {
      return Optional.of("must not end with / (use subpaths: true for paths below it)");
    }
    int clients = 0;
    for (String seg : path.substring(1).split("/", -1)) {
      if (seg.isEmpty()) {
        return Optional.of("has an empty segment (//)");
      }
      if (seg.equals(".") || seg.equals("..")) {
        return Optional.of("has a '" + seg + "' segment");
      }
      if (seg.equals(CLIENT)) {
        clients++;
      } else if (seg.contains(CLIENT)) {
        return Optional.of("{client} must be a whole segment, not part of '" + seg + "'");
      } else if (seg.contains("{") || seg.contains("}")) {
        return Optional.of("unknown variable in '" + seg + "' (only {client} is supported)");
      } else if (!LITERAL_SEGMENT.matcher(seg).matches()) {
        return Optional.of(
            "segment '" + seg + "' has characters that are not allowed (letters, digits and -._~ etc., no %)");
      }
    }
    if (clients == 0) {
      return Optional.of("has no {client} segment (every route is scoped to one client)");
    }
    if (clients > 1) {
      return Optional.of("has {client} " + clients + " times (exactly one is allowed)");
    }
    return Optional.empty();
  }

  // the forwarder appends the request path, which starts with '/'
  private static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return URI.create(s);
  }
}
