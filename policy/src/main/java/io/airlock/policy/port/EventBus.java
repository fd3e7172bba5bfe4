package io.airlock.policy.port;

import java.util.function.Consumer;

/**
 * Cluster-wide notifications (Redis pub/sub channel {@code events}, or in-process): request
 * created or decided, grant revoked, kill-all. Best effort: a node that missed an event reloads
 * state, so nothing may depend on delivery for correctness.
 *
 * @see StoreEvent
 */
public interface EventBus {
  void publish(StoreEvent event);

  /** Registers a listener; the returned handle unsubscribes. */
  AutoCloseable subscribe(Consumer<StoreEvent> listener);
}
