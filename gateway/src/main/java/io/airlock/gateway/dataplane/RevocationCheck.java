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
    check(ex);
    return Future.succeededFuture(ex);
  }

  /**
   * Throws the {@code Denied} the current snapshot gives this exchange's grant. The
   * {@link Forwarder} asks again once the exchange is in {@link InFlight}: a snapshot installed
   * while the later stages ran has already been swept, and must still stop it.
   */
  void check(Exchange ex) {
    view.current().check(ex.grant(), clock.instant(), maxStaleness);
  }
}
