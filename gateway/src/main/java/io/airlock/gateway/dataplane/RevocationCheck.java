package io.airlock.gateway.dataplane;

import io.airlock.policy.revocation.RevocationView;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;

/** Steps 4 and 5: local revocation state only, no network call; stale state denies. */
final class RevocationCheck implements Stage {
  private final RevocationView view;
  private final Duration maxStaleness;
  private final Clock clock;

  RevocationCheck(RevocationView view, Duration maxStaleness, Clock clock) {
    this.view = view;
    this.maxStaleness = maxStaleness;
    this.clock = clock;
  }

  @Override
  public Future<Exchange> apply(Exchange ex) {
    view.current().check(ex.grant(), clock.instant(), maxStaleness);
    return Future.succeededFuture(ex);
  }
}
