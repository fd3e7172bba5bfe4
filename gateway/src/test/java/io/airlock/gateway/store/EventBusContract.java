package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.port.EventBus;
import io.airlock.policy.port.StoreEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventBus} promises. {@link #node(int)} 0 and 1 are two gateway nodes; a
 * single-node bus returns the same instance for both.
 */
abstract class EventBusContract {
  static final Duration WAIT = Duration.ofSeconds(5);

  protected abstract EventBus node(int index);

  private static final AtomicInteger TESTS = new AtomicInteger();
  // events of an earlier test may still be on their way to a slower node: each test tags its own
  private final String test = "test-" + TESTS.incrementAndGet();

  Inbox inbox() {
    return new Inbox(test);
  }

  /** Collects this test's events; {@link #next()} waits (with a deadline) for the next one. */
  static final class Inbox implements Consumer<StoreEvent> {
    final LinkedBlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
    private final String test;

    Inbox(String test) {
      this.test = test;
    }

    @Override
    public void accept(StoreEvent e) {
      if (test.equals(e.attributes().get("test"))) {
        events.add(e);
      }
    }

    StoreEvent next() throws InterruptedException {
      StoreEvent e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(e).as("an event within " + WAIT).isNotNull();
      return e;
    }
  }

  StoreEvent event(String type, String id) {
    return new StoreEvent(
        type, Map.of("id", id, "agent", "alice", "note", "ünï \"quoted\"\n", "test", test));
  }

  @Test
  void aPublishedEventReachesEverySubscriberOnEveryNode() throws Exception {
    Inbox a = inbox();
    Inbox b = inbox();
    Inbox onOtherNode = inbox();
    try (AutoCloseable x = node(0).subscribe(a);
        AutoCloseable y = node(0).subscribe(b);
        AutoCloseable z = node(1).subscribe(onOtherNode)) {
      StoreEvent e = event("request.created", "req-1");
      node(0).publish(e);

      assertThat(a.next()).isEqualTo(e);
      assertThat(b.next()).isEqualTo(e);
      assertThat(onOtherNode.next()).isEqualTo(e);
    }
  }

  @Test
  void eventsFromOnePublisherArriveInOrder() throws Exception {
    Inbox inbox = inbox();
    try (AutoCloseable x = node(1).subscribe(inbox)) {
      List<StoreEvent> sent = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        StoreEvent e = event("request.decided", "req-" + i);
        sent.add(e);
        node(0).publish(e);
      }
      List<StoreEvent> got = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        got.add(inbox.next());
      }
      assertThat(got).isEqualTo(sent);
    }
  }

  @Test
  void anUnsubscribedListenerHearsNothingMore() throws Exception {
    Inbox gone = inbox();
    Inbox stays = inbox();
    AutoCloseable subscription = node(0).subscribe(gone);
    try (AutoCloseable x = node(0).subscribe(stays)) {
      node(1).publish(event("grant.revoked", "before"));
      assertThat(gone.next().attributes()).containsEntry("id", "before");
      assertThat(stays.next().attributes()).containsEntry("id", "before");

      subscription.close();
      node(1).publish(event("grant.revoked", "after"));
      // delivery on a node is in subscription order: once "stays" has it, "gone" would have too
      assertThat(stays.next().attributes()).containsEntry("id", "after");
      assertThat(gone.events).isEmpty();
    }
  }

  @Test
  void aFailingListenerDoesNotKeepTheEventFromTheOthers() throws Exception {
    Inbox after = inbox();
    try (AutoCloseable x = node(0).subscribe(e -> {
          throw new IllegalStateException("listener bug");
        });
        AutoCloseable y = node(0).subscribe(after)) {
      node(0).publish(event("request.created", "req-1"));
      node(0).publish(event("request.created", "req-2"));

      assertThat(after.next().attributes()).containsEntry("id", "req-1");
      assertThat(after.next().attributes()).containsEntry("id", "req-2");
    }
  }
}
