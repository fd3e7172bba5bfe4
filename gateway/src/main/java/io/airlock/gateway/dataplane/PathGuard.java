package io.airlock.gateway.dataplane;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.route.CanonicalPath;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

/** Step 1: the request target is decoded once and must be unambiguous (see {@link CanonicalPath}). */
final class PathGuard implements Stage {
  private final int maxUriLength;

  PathGuard(int maxUriLength) {
    this.maxUriLength = maxUriLength;
  }

  @Override
  public Future<Exchange> apply(Exchange ex) {
    if (ex.request().method() == HttpMethod.CONNECT) {
      // CONNECT carries an authority, not a path: refuse it as a tunnel, not as a bad path
      throw new Denied(Reason.UPGRADE_FORBIDDEN, "CONNECT tunnels are not allowed");
    }
    return Future.succeededFuture(ex.withPath(CanonicalPath.parse(ex.request().uri(), maxUriLength)));
  }
}
