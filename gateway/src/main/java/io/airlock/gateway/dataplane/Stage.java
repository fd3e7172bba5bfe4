package io.airlock.gateway.dataplane;

import io.vertx.core.Future;

/**
 * One step of the data-plane pipeline: it returns the exchange, possibly enriched, or fails
 * with {@link io.airlock.policy.decision.Denied} carrying the reason. Stages do no I/O on the
 * response; only the {@link Pipeline} answers.
 */
@FunctionalInterface
public interface Stage {
  Future<Exchange> apply(Exchange exchange);

  /**
   * Called by the {@link Pipeline} once for every request when its exchange is over (answered,
   * refused or cut), so a stage that holds something per request can give it back.
   */
  default void completed(String requestId) {}
}
