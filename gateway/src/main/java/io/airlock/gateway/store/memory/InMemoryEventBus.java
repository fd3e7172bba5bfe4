package io.airlock.gateway.store.memory;

import io.airlock.policy.port.EventBus;
import io.airlock.policy.port.StoreEvent;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-node events: every listener of this process, called on the publisher's thread in
 * subscription order. Listeners must be quick and must not block (the Redis bus calls them on
 * Lettuce's I/O thread); one that throws is logged and the others still run.
 */
public final class InMemoryEventBus implements EventBus {
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryEventBus.class);

  private final CopyOnWriteArrayList<Consumer<StoreEvent>> listeners = new CopyOnWriteArrayList<>();

  @Override
  public void publish(StoreEvent event) {
    Objects.requireNonNull(event, "event");
    deliver(listeners, event, LOG);
  }

  @Override
  public AutoCloseable subscribe(Consumer<StoreEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    // a wrapper per subscription, so subscribing the same lambda twice unsubscribes one at a time
    Consumer<StoreEvent> entry = listener::accept;
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  /** Calls each listener; a failing one does not keep the event from the rest. */
  public static void deliver(Iterable<Consumer<StoreEvent>> listeners, StoreEvent event, Logger log) {
    for (Consumer<StoreEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        log.warn("event listener failed on {}", event.type(), e);
      }
    }
  }
}
