package io.airlock.gateway.revocation;

import io.airlock.gateway.testing.HandClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.gateway.store.memory.InMemoryRevocationStore;
import io.airlock.gateway.testing.Poll;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Grant;
import io.airlock.policy.port.RevocationStore;
import io.airlock.policy.port.RevocationStore.Change;
import io.airlock.policy.port.RevocationStore.NodeStatus;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One node's sync against the in-process store, with loads held in flight and the wall clock
 * stepped by hand: the orderings a real Redis produces only by bad luck, made deterministic.
 * The staleness window is long (its timer runs every 15 s), so every reload here is the test's.
 */
class RevocationSyncOrderTest {
  static final Duration MAX_STALENESS = Duration.ofSeconds(60);

  final HandClock clock = new HandClock(Instant.now());
  final Vertx vertx = Vertx.vertx();
  HeldStore store;
  RevocationSync sync;
  final List<String> alerts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    store = new HeldStore(new InMemoryRevocationStore(clock, Duration.ofSeconds(90)));
    sync = new RevocationSync(vertx, store, "node-a", MAX_STALENESS, clock);
    sync.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    sync.onAlert(alerts::add);
  }

  @AfterEach
  void stop() throws Exception {
    sync.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  Reason verdict(Grant g) {
    Denied d = catchThrowableOfType(Denied.class, () -> sync.current().check(g, clock.instant(), MAX_STALENESS));
    return d == null ? null : d.reason();
  }

  @Test
  void aReloadInFlightDoesNotUndoARevokeOrSuspensionPublishedMeanwhile() throws Exception {
    store.holdLoads();
    CompletionStage<Void> reload = sync.reload(); // read the store as it was, answer held
    store.releaseLoads(false);

    await(store.revoke("jti-x", clock.instant().plus(Duration.ofMinutes(15))));
    await(store.suspend("mallory"));
    assertThat(sync.current().revokedJtis()).contains("jti-x");

    store.releaseHeld();
    await(reload);
    assertThat(sync.current().revokedJtis()).as("revoked while the load was in flight").contains("jti-x");
    assertThat(sync.current().suspendedAgents()).contains("mallory");
    assertThat(verdict(RevocationSyncTest.grant("jti-x", "alice", sync.epoch()))).isEqualTo(Reason.GRANT_REVOKED);
    assertThat(verdict(RevocationSyncTest.grant("jti-y", "mallory", sync.epoch()))).isEqualTo(Reason.AGENT_SUSPENDED);
    // a later full reload agrees: nothing was lost in the store either
    await(sync.reload());
    assertThat(sync.current().revokedJtis()).contains("jti-x");
  }

  @Test
  void aChangeThatArrivedAfterAGapSurvivesALoadOlderThanIt() throws Exception {
    store.holdLoads();
    CompletionStage<Void> older = sync.reload();
    // the first revoke's message is lost; the second arrives, a gap: the node reloads (held too)
    store.drop(c -> c.value().equals("jti-lost"));
    await(store.revoke("jti-lost", clock.instant().plus(Duration.ofMinutes(15))));
    store.drop(c -> false);
    await(store.revoke("jti-seen", clock.instant().plus(Duration.ofMinutes(15))));
    assertThat(sync.current().revokedJtis()).containsExactly("jti-seen");

    store.releaseOldest();
    await(older);
    assertThat(sync.current().revokedJtis()).as("a load from before both revokes").contains("jti-seen");

    store.releaseLoads(true);
    store.releaseHeld();
    Poll.until("the reload after the gap brings the lost one", Duration.ofSeconds(10),
        () -> sync.current().revokedJtis().containsAll(Set.of("jti-lost", "jti-seen")));
  }

  @Test
  void aKillAllWithLockdownIsInstalledEvenWhenChangesFollowItDuringTheReload() throws Exception {
    store.holdLoads();
    await(store.killAll(0, true)); // applied at once; its lockdown only comes with the reload, held
    await(store.suspend("mallory"));
    assertThat(sync.current().lockdown()).isFalse();

    store.releaseLoads(true);
    store.releaseHeld();
    Poll.until("lockdown after the reloads", Duration.ofSeconds(10), () -> sync.current().lockdown());
    assertThat(sync.current().suspendedAgents()).contains("mallory");
  }

  @Test
  void aClockSteppedBackMakesTheViewStaleUntilTheNextConfirmation() throws Exception {
    Grant g = RevocationSyncTest.grant("jti-ok", "alice", sync.epoch());
    assertThat(sync.fresh()).isTrue();
    assertThat(verdict(g)).isNull();

    clock.advance(Duration.ofSeconds(-1));
    assertThat(sync.fresh()).as("confirmed 1 s in the future").isFalse();
    assertThat(verdict(g)).isEqualTo(Reason.REVOCATION_STALE);

    // the next confirmation is stamped by the clock as it is now
    await(sync.reload());
    assertThat(sync.fresh()).isTrue();
    assertThat(verdict(g)).isNull();
  }

  @Test
  void aConfirmationInFlightWhenTheNodeStopsDoesNotPutItBackAmongTheLiveNodes() throws Exception {
    // a node with a fast confirmation timer, its stamp read held in flight while it closes
    HeldStore held = new HeldStore(new InMemoryRevocationStore(clock, Duration.ofSeconds(90)));
    RevocationSync fast = new RevocationSync(vertx, held, "node-b", Duration.ofMillis(100), clock);
    fast.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    held.holdStamps();
    Poll.until("a confirmation waiting on its stamp", Duration.ofSeconds(10), () -> held.heldStamps() > 0);
    assertThat(await(held.nodes(clock.instant(), Duration.ofMinutes(1)))).extracting(NodeStatus::nodeId).contains("node-b");

    fast.close();
    assertThat(await(held.nodes(clock.instant(), Duration.ofMinutes(1)))).isEmpty();
    held.releaseStamps();
    assertThat(await(held.nodes(clock.instant(), Duration.ofMinutes(1)))).as("live nodes after the late confirmation").isEmpty();
  }

  @Test
  void aHeartbeatBeingSentWhenTheNodeStopsGoesOutBeforeItsDeregistration() throws Exception {
    HeldStore held = new HeldStore(new InMemoryRevocationStore(clock, Duration.ofSeconds(90)));
    RevocationSync fast = new RevocationSync(vertx, held, "node-c", Duration.ofMillis(100), clock);
    fast.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    held.holdNextHeartbeat();
    assertThat(held.heartbeatEntered.await(10, TimeUnit.SECONDS)).as("a heartbeat past its closed check").isTrue();

    Thread closer = new Thread(() -> {
      try {
        fast.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "closer");
    closer.start();
    // close either waits for the heartbeat already under way, or (the bug) deregisters under it
    Poll.until("close waiting or done", Duration.ofSeconds(10),
        () -> closer.getState() == Thread.State.BLOCKED || !closer.isAlive());
    held.heartbeatGo.countDown();
    assertThat(held.heartbeatSent.await(10, TimeUnit.SECONDS)).isTrue();
    closer.join(10_000);
    assertThat(closer.isAlive()).as("close finished").isFalse();

    assertThat(await(held.nodes(clock.instant(), Duration.ofMinutes(1))))
        .as("live nodes after the stopped node's last heartbeat").isEmpty();
  }

  @Test
  void aStoreThatLostChangesInAFailoverTakesBackNeitherARevokeNorASuspension() throws Exception {
    // a replica that received every write up to v10, then missed v11 and v12 (async replication)
    long e0 = sync.epoch();
    InMemoryRevocationStore replica = new InMemoryRevocationStore(clock, Duration.ofSeconds(90));
    await(replica.initialize(e0));
    Instant exp = clock.instant().plus(Duration.ofMinutes(15));
    for (int i = 0; i < 10; i++) {
      await(store.revoke("jti-" + i, exp));
      await(replica.revoke("jti-" + i, exp));
    }
    await(store.revoke("jti-x", exp));
    await(store.suspend("mallory"));
    assertThat(await(store.stamp()).version()).isEqualTo(12);
    assertThat(await(replica.stamp()).version()).isEqualTo(10);
    Grant x = RevocationSyncTest.grant("jti-x", "alice", e0);
    assertThat(verdict(x)).isEqualTo(Reason.GRANT_REVOKED);
    assertThat(verdict(RevocationSyncTest.grant("jti-m", "mallory", e0))).isEqualTo(Reason.AGENT_SUSPENDED);

    // the replica is promoted; the subscription comes back on it and the node reloads (L=10)
    store.failOverTo(replica);
    await(sync.reload());
    assertThat(verdict(x)).as("a grant revoked in a change the store lost").isEqualTo(Reason.GRANT_REVOKED);
    assertThat(sync.current().suspendedAgents()).as("suspended in a change the store lost").contains("mallory");
    assertThat(sync.current().lockdown()).isTrue();
    assertThat(alerts).singleElement().asString().contains("LOST CHANGES");
    // written back, so every node converges: a kill-all with lockdown above every epoch seen, the suspension
    RevocationStore.State s = await(replica.load());
    assertThat(s.epoch()).isGreaterThan(e0);
    assertThat(s.lockdown()).isTrue();
    assertThat(s.suspendedAgents()).contains("mallory");

    // security lifts the lockdown: the old grant stays dead, the agent stays suspended
    await(store.liftLockdown());
    await(sync.reload());
    assertThat(sync.current().lockdown()).isFalse();
    assertThat(verdict(x)).isEqualTo(Reason.GRANT_REVOKED);
    assertThat(verdict(RevocationSyncTest.grant("jti-m2", "mallory", sync.epoch()))).isEqualTo(Reason.AGENT_SUSPENDED);
    assertThat(verdict(RevocationSyncTest.grant("jti-ok", "alice", sync.epoch()))).isNull();
    assertThat(alerts).hasSize(1);
  }

  @Test
  void aLateLockdownLiftOrResumeDoesNotUndoANewerLoad() throws Exception {
    await(store.killAll(0, true)); // v1
    await(store.suspend("mallory")); // v2
    store.drop(c -> c.kind() == Change.Kind.LOCKDOWN_LIFTED || c.kind() == Change.Kind.RESUME);
    await(store.liftLockdown()); // v3, its message late
    await(store.resume("mallory")); // v4, its message late
    store.drop(c -> false);
    await(store.suspend("mallory")); // v5: a gap, the node reloads
    await(store.killAll(0, true)); // v6, lockdown again: the node reloads
    assertThat(sync.current().lockdown()).isTrue();
    assertThat(sync.current().suspendedAgents()).contains("mallory");

    // the late messages arrive; any reload they cause is held, so what they did shows
    store.holdLoads();
    store.deliverDropped();
    assertThat(sync.current().lockdown()).as("lockdown lifted at v3, set again at v6").isTrue();
    assertThat(sync.current().suspendedAgents()).as("resumed at v4, suspended again at v5").contains("mallory");
    assertThat(verdict(RevocationSyncTest.grant("jti-m", "mallory", sync.epoch()))).isEqualTo(Reason.GRANT_REVOKED);
    store.releaseLoads(true);
  }


  /**
   * The in-process store with loads that read at once but answer when the test says, and
   * published changes the test may drop before they reach the node.
   */
  /** Holds calls that pass through it while held; released in order. */
  static final class Gate {
    private final ConcurrentLinkedDeque<CompletableFuture<Void>> held = new ConcurrentLinkedDeque<>();
    private volatile boolean holding;

    <T> CompletionStage<T> pass(CompletionStage<T> call) {
      if (!holding) {
        return call;
      }
      CompletableFuture<Void> gate = new CompletableFuture<>();
      held.addLast(gate);
      return gate.thenCompose(v -> call);
    }

    void hold(boolean on) {
      holding = on;
    }

    int held() {
      return held.size();
    }

    boolean releaseOldest() {
      CompletableFuture<Void> gate = held.pollFirst();
      return gate != null && gate.complete(null);
    }

    void releaseAll() {
      while (releaseOldest()) {
        // each released in the order it was held
      }
    }
  }

  static final class HeldStore implements RevocationStore {
    private volatile RevocationStore delegate;
    private final List<Change> dropped = new CopyOnWriteArrayList<>();
    private volatile Consumer<Change> subscriber;
    private volatile Runnable onSubscribed;
    private volatile AutoCloseable subscription;
    private final Gate loads = new Gate();
    private volatile Predicate<Change> drop = c -> false;
    private final Gate stamps = new Gate();

    HeldStore(RevocationStore delegate) {
      this.delegate = delegate;
    }

    void holdLoads() {
      loads.hold(true);
    }

    /** Loads from now on answer at once ({@code false} keeps holding only those already held). */
    void releaseLoads(boolean alsoHeld) {
      loads.hold(false);
      if (alsoHeld) {
        releaseHeld();
      }
    }

    void releaseOldest() {
      assertThat(loads.releaseOldest()).as("a held load").isTrue();
    }

    void releaseHeld() {
      loads.releaseAll();
    }

    void drop(Predicate<Change> which) {
      drop = which;
    }

    /** Delivers the changes dropped so far, late and in their order. */
    void deliverDropped() {
      for (Change c : dropped) {
        dropped.remove(c);
        subscriber.accept(c);
      }
    }

    /** From now on another store answers (a promoted replica); the subscription moves to it. */
    void failOverTo(RevocationStore replica) throws Exception {
      subscription.close();
      delegate = replica;
      subscription = replica.subscribe(this::deliver, onSubscribed);
    }

    void holdStamps() {
      stamps.hold(true);
    }

    /** The next heartbeat's caller stops inside the call, as a thread between check and send. */
    final java.util.concurrent.CountDownLatch heartbeatEntered = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch heartbeatGo = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch heartbeatSent = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean holdingHeartbeat;

    void holdNextHeartbeat() {
      holdingHeartbeat = true;
    }

    int heldStamps() {
      return stamps.held();
    }

    void releaseStamps() {
      stamps.hold(false);
      stamps.releaseAll();
    }

    @Override
    public CompletionStage<State> load() {
      return loads.pass(delegate.load());
    }

    @Override
    public AutoCloseable subscribe(Consumer<Change> onChange, Runnable onSubscribed) {
      this.subscriber = onChange;
      this.onSubscribed = onSubscribed;
      subscription = delegate.subscribe(this::deliver, onSubscribed);
      return () -> subscription.close();
    }

    private void deliver(Change c) {
      if (drop.test(c)) {
        dropped.add(c);
      } else {
        subscriber.accept(c);
      }
    }

    @Override
    public CompletionStage<Stamp> stamp() {
      return stamps.pass(delegate.stamp());
    }

    @Override
    public CompletionStage<Long> killAll(long floor, boolean lockdown) {
      return delegate.killAll(floor, lockdown);
    }

    @Override
    public CompletionStage<Long> reseedIfEmpty(long floor) {
      return delegate.reseedIfEmpty(floor);
    }

    @Override
    public CompletionStage<Void> initialize(long epochFloor) {
      return delegate.initialize(epochFloor);
    }

    @Override
    public CompletionStage<Void> revoke(String jti, Instant grantExpiresAt) {
      return delegate.revoke(jti, grantExpiresAt);
    }

    @Override
    public CompletionStage<Void> suspend(String agent) {
      return delegate.suspend(agent);
    }

    @Override
    public CompletionStage<Void> resume(String agent) {
      return delegate.resume(agent);
    }

    @Override
    public CompletionStage<Void> liftLockdown() {
      return delegate.liftLockdown();
    }

    @Override
    public CompletionStage<Void> heartbeat(String nodeId, long acknowledgedEpoch, Instant at) {
      if (holdingHeartbeat) {
        holdingHeartbeat = false;
        heartbeatEntered.countDown();
        try {
          heartbeatGo.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        try {
          return delegate.heartbeat(nodeId, acknowledgedEpoch, at);
        } finally {
          heartbeatSent.countDown();
        }
      }
      return delegate.heartbeat(nodeId, acknowledgedEpoch, at);
    }

    @Override
    public CompletionStage<Void> deregister(String nodeId) {
      return delegate.deregister(nodeId);
    }

    @Override
    public CompletionStage<List<NodeStatus>> nodes(Instant now, Duration liveWithin) {
      return delegate.nodes(now, liveWithin);
    }
  }
}
