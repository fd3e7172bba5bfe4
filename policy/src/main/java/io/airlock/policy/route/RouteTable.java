package io.airlock.policy.route;

import io.airlock.policy.config.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Data-plane step 2: the routes of routes.yaml, tried in file order; the first match wins and
 * no match means 404. Matching is on decoded segments and case-sensitive, so
 * {@code /Clients/c-1} matches nothing rather than something unexpected.
 */
public final class RouteTable {
  public static final String CLIENT_VARIABLE = "{client}";

  private final List<Compiled> routes;

  public RouteTable(List<Route> routes) {
    List<Compiled> list = new ArrayList<>(routes.size());
    for (Route r : routes) {
      list.add(compile(r));
    }
    this.routes = List.copyOf(list);
  }

  /** The first route whose template matches, with the client id it names. */
  public Optional<RouteMatch> match(CanonicalPath path) {
    List<String> segs = path.segments();
    for (Compiled c : routes) {
      if (segs.size() < c.template.size() || (!c.route.subpaths() && segs.size() != c.template.size())) {
        continue;
      }
      String client = null;
      boolean ok = true;
      for (int i = 0; i < c.template.size(); i++) {
        String t = c.template.get(i);
        if (i == c.clientIndex) {
          client = segs.get(i);
        } else if (!t.equals(segs.get(i))) {
          ok = false;
          break;
        }
      }
      if (ok) {
        return Optional.of(new RouteMatch(c.route, client));
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code earlier} matches every path {@code later} matches, so that with the first
   * match winning {@code later} is never chosen. Matching looks at the path alone (a method the
   * earlier route does not allow is answered 405 by it, not passed on), so methods play no part.
   * Only definite shadowing counts: routes that merely overlap are left alone.
   */
  public static boolean shadows(Route earlier, Route later) {
    List<String> e = compile(earlier).template;
    List<String> l = compile(later).template;
    if (earlier.subpaths() ? l.size() < e.size() : (later.subpaths() || l.size() != e.size())) {
      return false;
    }
    for (int i = 0; i < e.size(); i++) {
      // {client} in the earlier template takes any segment; a literal takes only itself, and
      // never the later route's {client}, which takes any
      if (!e.get(i).equals(CLIENT_VARIABLE) && !e.get(i).equals(l.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** A route no path can reach, and the earlier route that takes all of its paths. */
  public record Shadowed(int index, int by) {}

  /** Every route of {@code routes} (in file order) that an earlier one shadows, with the first such. */
  public static List<Shadowed> unreachable(List<Route> routes) {
    List<Shadowed> out = new ArrayList<>();
    for (int n = 1; n < routes.size(); n++) {
      for (int m = 0; m < n; m++) {
        if (shadows(routes.get(m), routes.get(n))) {
          out.add(new Shadowed(n, m));
          break;
        }
      }
    }
    return List.copyOf(out);
  }

  private static Compiled compile(Route r) {
    String p = r.pathTemplate();
    if (!p.startsWith("/") || p.length() < 2) {
      throw new IllegalArgumentException("route " + r.id() + ": path must start with '/'");
    }
    List<String> t = List.of(p.substring(1).split("/", -1));
    for (String seg : t) {
      if (seg.isEmpty()) {
        throw new IllegalArgumentException("route " + r.id() + ": path has an empty segment ('//' or trailing '/')");
      }
      if (!seg.equals(CLIENT_VARIABLE) && (seg.contains("{") || seg.contains("}"))) {
        throw new IllegalArgumentException("route " + r.id() + ": only the {client} variable is supported, found " + seg);
      }
    }
    int idx = t.indexOf(CLIENT_VARIABLE);
    if (idx < 0 || t.lastIndexOf(CLIENT_VARIABLE) != idx) {
      throw new IllegalArgumentException("route " + r.id() + ": path must contain {client} exactly once");
    }
    return new Compiled(r, t, idx);
  }

  private record Compiled(Route route, List<String> template, int clientIndex) {}

  /** A matched route and the client id taken from its {@code {client}} segment. */
  public record RouteMatch(Route route, String clientId) {}
}
