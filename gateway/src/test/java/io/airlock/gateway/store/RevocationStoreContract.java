package io.airlock.gateway.store;

import io.airlock.gateway.testing.HandClock;
import static io.airlock.gateway.store.AccessRequestStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.port.RevocationStore;
import io.airlock.policy.port.RevocationStore.Change;
import io.airlock.policy.port.RevocationStore.Change.Kind;
import io.airlock.policy.port.RevocationStore.NodeStatus;
import io.airlock.policy.port.RevocationStore.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RevocationStore} promises, run against each implementation. {@link
 * #store()} and {@link #otherNode()} are two gateway nodes' views of one shared state (a
 * single-node store returns the same instance twice).
 */
abstract class RevocationStoreContract {
  static final Duration WAIT = Duration.ofSeconds(10);

  /** The default grants.leeway (30 s) plus the clock margin: how long past exp a revoked id stays. */
  static final Duration AFTER_EXPIRY = GrantsConfig.revocableAfterExpiry(Duration.ofSeconds(30));

  /** Wall-clock start, millisecond precision (Redis keeps milliseconds), moved by hand. */
  protected final HandClock clock = new HandClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));

  private RevocationStore store;
  private RevocationStore other;

  /**
   * A store over fresh, empty state, and a second view of that same state from another node, both
   * keeping revoked ids for {@code revocableAfterExpiry} past their grant's exp.
   */
  protected abstract RevocationStore[] newStores(Clock clock, Duration revocableAfterExpiry) throws Exception;

  @BeforeEach
  void freshStores() throws Exception {
    RevocationStore[] s = newStores(clock, AFTER_EXPIRY);
    store = s[0];
    other = s[1];
  }

  protected RevocationStore store() {
    return store;
  }

  protected RevocationStore otherNode() {
    return other;
  }

  @Test
  void aFreshStoreHoldsNothingAndIsNotInitialised() throws Exception {
    State s = await(store.load());
    assertThat(s.initialized()).isFalse();
    assertThat(s.epoch()).isZero();
    assertThat(s.version()).isZero();
    assertThat(s.revokedJtis()).isEmpty();
    assertThat(s.suspendedAgents()).isEmpty();
    assertThat(s.lockdown()).isFalse();

    await(store.initialize());
    assertThat(await(other.stamp())).isEqualTo(new RevocationStore.Stamp(true, 0, 0));
  }

  @Test
  void theEpochNeverGoesBackwardsWhateverFloorACallerPasses() throws Exception {
    assertThat(await(store.killAll(0, false))).isEqualTo(1);
    assertThat(await(other.killAll(0, false))).isEqualTo(2);
    // a node that only knew epoch 1 still moves the epoch forward, never back to 2
    assertThat(await(store.killAll(1, false))).isEqualTo(3);
    assertThat(await(other.stamp()).epoch()).isEqualTo(3);
  }

  @Test
  void aKillAllWithAFloorAboveTheStoredEpochJumpsAboveTheFloor() throws Exception {
    await(store.killAll(0, false));
    // a node saw epoch 41 before Redis lost it: the next epoch must kill what that node issued
    assertThat(await(store.killAll(41, false))).isEqualTo(42);
    assertThat(await(other.load()).epoch()).isEqualTo(42);
  }

  @Test
  void aRevokedGrantStaysRevokedWhileAnyNodeMightStillAcceptIt() throws Exception {
    Instant exp = clock.instant().plus(Duration.ofMinutes(15));
    await(store.revoke("jti-1", exp));
    await(store.revoke("jti-2", clock.instant().plus(Duration.ofMinutes(60))));
    assertThat(await(other.load()).revokedJtis()).containsExactlyInAnyOrder("jti-1", "jti-2");

    clock.set(exp);
    assertThat(await(other.load()).revokedJtis()).as("at the expiry instant").contains("jti-1");
    // the verifier accepts the grant until exp + leeway: a load in that window must not forget it
    clock.set(exp.plusSeconds(5));
    assertThat(await(other.load()).revokedJtis()).as("5 s past exp, inside the leeway").contains("jti-1");
    clock.set(exp.plus(AFTER_EXPIRY));
    assertThat(await(other.load()).revokedJtis()).as("leeway and clock margin past exp").contains("jti-1");
    clock.set(exp.plus(AFTER_EXPIRY).plusMillis(1));
    assertThat(await(other.load()).revokedJtis()).containsExactly("jti-2");
  }

  @Test
  void revokedIdsOutliveTheLongestLeeway() {
    // grants.leeway is at most 30 s (ConfigLoader, GrantVerifier); the margin is for clocks
    assertThat(AFTER_EXPIRY).isGreaterThan(Duration.ofSeconds(30));
    assertThat(GrantsConfig.revocableAfterExpiry(Duration.ZERO)).isEqualTo(GrantsConfig.CLOCK_SKEW_MARGIN);
  }

  @Test
  void revokingAgainWithAnEarlierExpiryNeverShortensTheRevocation() throws Exception {
    Instant late = clock.instant().plus(Duration.ofMinutes(30));
    await(store.revoke("jti-1", late));
    await(other.revoke("jti-1", clock.instant().plus(Duration.ofMinutes(1))));

    clock.advance(Duration.ofMinutes(10));
    assertThat(await(store.load()).revokedJtis()).containsExactly("jti-1");
  }

  @Test
  void suspendAndResumeAnAgent() throws Exception {
    await(store.suspend("alice"));
    await(store.suspend("bob"));
    assertThat(await(other.load()).suspendedAgents()).containsExactlyInAnyOrder("alice", "bob");

    await(other.resume("alice"));
    assertThat(await(store.load()).suspendedAgents()).containsExactly("bob");
  }

  @Test
  void lockdownIsSetOnlyWhenAskedAndStaysUntilLifted() throws Exception {
    await(store.killAll(0, false));
    assertThat(await(other.load()).lockdown()).isFalse();

    await(store.killAll(0, true));
    assertThat(await(other.load()).lockdown()).isTrue();
    // a later kill-all without lockdown does not lift it
    await(store.killAll(0, false));
    assertThat(await(other.load()).lockdown()).isTrue();

    await(other.liftLockdown());
    State s = await(store.load());
    assertThat(s.lockdown()).isFalse();
    assertThat(s.epoch()).isEqualTo(3);
  }

  @Test
  void everyChangeBumpsTheVersionByOneAndNothingElseDoes() throws Exception {
    List<Runnable> changes =
        List.of(
            () -> join(store.killAll(0, true)),
            () -> join(store.revoke("jti-1", clock.instant().plusSeconds(60))),
            () -> join(store.suspend("alice")),
            () -> join(store.resume("alice")),
            () -> join(store.liftLockdown()),
            () -> join(other.revoke("jti-1", clock.instant().plusSeconds(60))));
    long version = await(store.stamp()).version();
    for (Runnable change : changes) {
      change.run();
      long next = await(other.stamp()).version();
      assertThat(next).isEqualTo(version + 1);
      version = next;
    }
    await(store.heartbeat("node-a", 1, clock.instant()));
    await(store.initialize());
    await(store.load());
    assertThat(await(other.stamp()).version()).isEqualTo(version);
    assertThat(await(other.load()).version()).isEqualTo(version);
  }

  @Test
  void theStampAgreesWithAFullLoad() throws Exception {
    await(store.initialize());
    await(store.killAll(6, false));
    await(store.suspend("alice"));
    State s = await(other.load());
    assertThat(await(other.stamp())).isEqualTo(new RevocationStore.Stamp(s.initialized(), s.version(), s.epoch()));
    assertThat(s.epoch()).isEqualTo(7);
    assertThat(s.version()).isEqualTo(2);
  }

  @Test
  void anotherNodeReceivesEveryChangeInVersionOrder() throws Exception {
    LinkedBlockingQueue<Change> seen = new LinkedBlockingQueue<>();
    CountDownLatch subscribed = new CountDownLatch(1);
    try (AutoCloseable sub = other.subscribe(seen::add, subscribed::countDown)) {
      assertThat(subscribed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("subscription confirmed").isTrue();

      await(store.revoke("jti-\"odd\" ü", clock.instant().plusSeconds(60)));
      await(store.suspend("alice"));
      long epoch = await(store.killAll(9, true));
      await(store.resume("alice"));
      await(store.liftLockdown());

      List<Change> got = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Change c = seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(c).as("change " + (i + 1) + " within " + WAIT).isNotNull();
        got.add(c);
      }
      assertThat(got)
          .containsExactly(
              new Change(Kind.REVOKE, "jti-\"odd\" ü", 1),
              new Change(Kind.SUSPEND, "alice", 2),
              new Change(Kind.KILL_ALL, Long.toString(epoch), 3),
              new Change(Kind.RESUME, "alice", 4),
              new Change(Kind.LOCKDOWN_LIFTED, "-", 5));
      assertThat(epoch).isEqualTo(10);
    }
  }

  @Test
  void aClosedSubscriptionHearsNothingMore() throws Exception {
    LinkedBlockingQueue<Change> gone = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Change> stays = new LinkedBlockingQueue<>();
    CountDownLatch subscribed = new CountDownLatch(2);
    AutoCloseable first = other.subscribe(gone::add, subscribed::countDown);
    try (AutoCloseable second = other.subscribe(stays::add, subscribed::countDown)) {
      assertThat(subscribed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      first.close();
      await(store.suspend("alice"));
      assertThat(stays.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(new Change(Kind.SUSPEND, "alice", 1));
      assertThat(gone).isEmpty();
    }
  }

  @Test
  void onlyTheFirstOfTwoConcurrentReseedsActs() throws Exception {
    await(store.killAll(0, false));
    // what Redis looks like after a restart without persistence: no marker
    CompletableFuture<Long> a = store.reseedIfEmpty(5).toCompletableFuture();
    CompletableFuture<Long> b = other.reseedIfEmpty(5).toCompletableFuture();
    assertThat(List.of(a.get(10, TimeUnit.SECONDS), b.get(10, TimeUnit.SECONDS))).containsExactly(6L, 6L);

    State s = await(store.load());
    assertThat(s.initialized()).isTrue();
    assertThat(s.epoch()).isEqualTo(6);
    assertThat(s.lockdown()).isTrue();
    assertThat(s.version()).as("one kill, one reseed").isEqualTo(2);

    // the marker is there now: a later reseed changes nothing, whatever its floor
    assertThat(await(other.reseedIfEmpty(100))).isEqualTo(6);
    assertThat(await(store.stamp())).isEqualTo(new RevocationStore.Stamp(true, 2, 6));
  }

  @Test
  void aReseedIsPublishedAsAKillAll() throws Exception {
    LinkedBlockingQueue<Change> seen = new LinkedBlockingQueue<>();
    CountDownLatch subscribed = new CountDownLatch(1);
    try (AutoCloseable sub = other.subscribe(seen::add, subscribed::countDown)) {
      assertThat(subscribed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      await(store.reseedIfEmpty(20));
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(new Change(Kind.KILL_ALL, "21", 1));
    }
  }

  @Test
  void nodesAreLiveWhileTheirHeartbeatIsRecent() throws Exception {
    Instant now = clock.instant();
    await(store.heartbeat("node-a", 3, now));
    await(other.heartbeat("node-b", 2, now.minusSeconds(10)));
    await(other.heartbeat("node-c", 3, now.minusSeconds(2)));

    assertThat(await(store.nodes(now, Duration.ofSeconds(3))))
        .containsExactlyInAnyOrder(new NodeStatus("node-a", 3, now), new NodeStatus("node-c", 3, now.minusSeconds(2)));

    // node-b comes back and acknowledges the current epoch
    await(other.heartbeat("node-b", 4, now.plusSeconds(1)));
    assertThat(await(other.nodes(now.plusSeconds(1), Duration.ofSeconds(3))))
        .containsExactlyInAnyOrder(
            new NodeStatus("node-a", 3, now),
            new NodeStatus("node-b", 4, now.plusSeconds(1)),
            new NodeStatus("node-c", 3, now.minusSeconds(2)));
  }

  @Test
  void aNodeDeadForLongIsForgottenButComesBackWithItsNextHeartbeat() throws Exception {
    Instant now = clock.instant();
    await(store.heartbeat("node-old", 1, now.minus(Duration.ofHours(2))));
    await(store.heartbeat("node-a", 1, now));
    assertThat(await(store.nodes(now, Duration.ofSeconds(3)))).extracting(NodeStatus::nodeId).containsExactly("node-a");

    await(store.heartbeat("node-old", 2, now));
    assertThat(await(other.nodes(now, Duration.ofSeconds(3))))
        .extracting(NodeStatus::nodeId)
        .containsExactlyInAnyOrder("node-a", "node-old");
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return await(stage);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

}
