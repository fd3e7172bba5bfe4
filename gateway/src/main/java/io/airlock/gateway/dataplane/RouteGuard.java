package io.airlock.gateway.dataplane;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.route.RouteTable;
import io.airlock.policy.route.RouteTable.RouteMatch;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;

/** Step 2: deny by default; only routes.yaml opens paths, and never for a protocol switch. */
final class RouteGuard implements Stage {
  private final RouteTable routes;

  RouteGuard(RouteTable routes) {
    this.routes = routes;
  }

  @Override
  public Future<Exchange> apply(Exchange ex) {
    RouteMatch m =
        routes
            .match(ex.path())
            .orElseThrow(() -> new Denied(Reason.NO_ROUTE, "no route for " + ex.path().path()));
    String upgrade = ex.request().headers().get(HttpHeaders.UPGRADE);
    if (upgrade != null && !isOnlyH2cOffer(upgrade)) {
      // WebSocket and friends would turn the exchange into a raw pipe past every check
      throw new Denied(Reason.UPGRADE_FORBIDDEN, "protocol upgrade is not allowed on the data plane");
    }
    String method = ex.request().method().name();
    if (!m.route().methods().contains(method)) {
      throw new Denied(Reason.METHOD_NOT_ALLOWED, "method " + method + " is not allowed on route " + m.route().id());
    }
    return Future.succeededFuture(ex.withMatch(m));
  }

  /**
   * {@code Upgrade: h2c} is an offer a server may ignore (RFC 9113 §3.1 leaves HTTP/1.1 the
   * answer), and clients such as the JDK's send it by default. h2c is disabled in the server, so
   * the exchange stays HTTP/1.1 and the header is stripped as hop-by-hop before forwarding.
   */
  private static boolean isOnlyH2cOffer(String upgrade) {
    for (String token : upgrade.split(",")) {
      if (!token.trim().equalsIgnoreCase("h2c")) {
        return false;
      }
    }
    return true;
  }
}
