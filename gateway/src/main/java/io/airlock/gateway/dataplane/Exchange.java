package io.airlock.gateway.dataplane;

import io.airlock.policy.grant.Grant;
import io.airlock.policy.route.CanonicalPath;
import io.airlock.policy.route.RouteTable.RouteMatch;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;

/**
 * What the pipeline knows about one data-plane request. Each stage returns a copy enriched
 * with what it established; nothing downstream can see a grant that was not verified, because
 * the field is only set by the grant stage.
 */
public record Exchange(
    String requestId,
    HttpServerRequest request,
    String clientAddress,
    Instant startedAt,
    CanonicalPath path,
    RouteMatch match,
    Grant grant) {

  static Exchange start(String requestId, HttpServerRequest request, String clientAddress, Instant now) {
    return new Exchange(requestId, request, clientAddress, now, null, null, null);
  }

  Exchange withPath(CanonicalPath p) {
    return new Exchange(requestId, request, clientAddress, startedAt, p, match, grant);
  }

  Exchange withMatch(RouteMatch m) {
    return new Exchange(requestId, request, clientAddress, startedAt, path, m, grant);
  }

  Exchange withGrant(Grant g) {
    return new Exchange(requestId, request, clientAddress, startedAt, path, match, g);
  }

  /** Route id for metrics and logs, or "-" before routing. */
  public String routeId() {
    return match == null ? "-" : match.route().id();
  }
}
