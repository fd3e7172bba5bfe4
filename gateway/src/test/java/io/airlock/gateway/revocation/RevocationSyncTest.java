package io.airlock.gateway.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.store.redis.RedisRevocationStore;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.RedisSupport.PrivateRedis;
import io.airlock.gateway.testing.TcpProxy;
import io.airlock.gateway.testing.Wire;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Action;
import io.airlock.policy.grant.Grant;
import io.airlock.policy.port.RevocationStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One or two nodes' revocation sync against a redis-server of the test's own, which it kills,
 * freezes, restarts empty, or cuts one node off from. Short staleness windows, and every wait is
 * a poll with a deadline.
 */
class RevocationSyncTest {
  static final Duration MAX_STALENESS = Duration.ofMillis(300);
  /** With this window the confirmation timer runs every 15 s: only pub/sub can be faster. */
  static final Duration SLOW_TIMER = Duration.ofSeconds(60);
  static final Duration RECOVERY = Duration.ofSeconds(15);

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private PrivateRedis redis() {
    PrivateRedis r = RedisSupport.startPrivate();
    closeables.add(r);
    return r;
  }

  /** One gateway node's revocation side: its own Vert.x, Redis connections and sync. */
  private final class Node implements AutoCloseable {
    final String id;
    final Vertx vertx = Vertx.vertx();
    final RedisConnector redis;
    final RevocationStore store;
    final RevocationSync sync;
    final List<String> alerts = new CopyOnWriteArrayList<>();
    final Duration maxStaleness;

    Node(String id, String uri, Duration maxStaleness) throws Exception {
      this.id = id;
      this.maxStaleness = maxStaleness;
      RedisConfig config =
          new RedisConfig(List.of(uri), false, "airlock:", Duration.ofMillis(200), Duration.ofSeconds(2));
      this.redis = RedisConnector.connect(config).toCompletableFuture().get(10, TimeUnit.SECONDS);
      this.store = new RedisRevocationStore(redis, Clock.systemUTC(), io.airlock.policy.config.GrantsConfig.revocableAfterExpiry(Duration.ofSeconds(30)));
      this.sync = new RevocationSync(vertx, store, id, maxStaleness, Clock.systemUTC());
      sync.onAlert(alerts::add);
      sync.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** What the data plane would answer for this grant now: null when it passes. */
    Reason verdict(Grant g) {
      Denied d =
          catchThrowableOfType(
              Denied.class, () -> sync.current().check(g, Instant.now(), maxStaleness));
      return d == null ? null : d.reason();
    }

    @Override
    public void close() throws Exception {
      sync.close();
      redis.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private Node node(String id, String uri, Duration maxStaleness) throws Exception {
    Node n = new Node(id, uri, maxStaleness);
    closeables.add(n);
    return n;
  }

  static Grant grant(String jti, String agent, long epoch) {
    Instant now = Instant.now();
    return new Grant(
        jti, "https://airlock.test", agent, "SUP-1", Set.of("c-1"), Set.of(Action.READ), Set.of(), "req-1",
        List.of("maria"), epoch, now, now, now.plus(Duration.ofMinutes(15)));
  }

  static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  static void eventually(Duration within, String what, java.util.function.BooleanSupplier condition) {
    assertThat(Wire.poll(within, condition)).as(what + " within " + within).isTrue();
  }

  @Test
  void redisKilledFailsClosedWithinMaxStalenessThenARestartedEmptyRedisKillsEverythingEarlier() throws Exception {
    PrivateRedis server = redis();
    Node a = node("node-a", server.uri(), MAX_STALENESS);
    long e0 = a.sync.epoch();
    await(a.store.killAll(0, false));
    eventually(RECOVERY, "kill-all applied", () -> a.sync.epoch() == e0 + 1);
    Grant old = grant("jti-old", "alice", e0 + 1);
    assertThat(a.verdict(old)).isNull();

    server.kill();
    Instant killed = Instant.now();
    eventually(MAX_STALENESS.plusSeconds(2), "stale after the kill", () -> !a.sync.fresh());
    // the bound is exact, not a matter of polling: nothing was confirmed once Redis was dead
    assertThat(a.sync.current().confirmedAt()).isBefore(killed);
    Denied stale =
        catchThrowableOfType(
            Denied.class, () -> a.sync.current().check(old, killed.plus(MAX_STALENESS).plusMillis(1), MAX_STALENESS));
    assertThat(stale.reason()).isEqualTo(Reason.REVOCATION_STALE);
    assertThat(a.verdict(old)).isEqualTo(Reason.REVOCATION_STALE);

    // restarted without persistence: the epoch, lockdown, everything is gone from Redis
    server.restart();
    eventually(RECOVERY, "fresh again after the restart", a.sync::fresh);
    assertThat(a.verdict(old)).as("a grant from before the outage").isEqualTo(Reason.GRANT_REVOKED);
    RevocationStore.State s = await(a.store.load());
    assertThat(s.epoch()).as("re-seeded above the highest epoch seen").isGreaterThan(e0 + 1);
    assertThat(s.lockdown()).isTrue();
    assertThat(a.alerts).singleElement().asString().contains("EMPTY");
  }

  @Test
  void aFrozenRedisFailsClosedAndWhenItThawsTheNodeRecoversWithNothingLost() throws Exception {
    PrivateRedis server = redis();
    Node a = node("node-a", server.uri(), MAX_STALENESS);
    await(a.store.revoke("jti-dead", Instant.now().plus(Duration.ofMinutes(15))));
    eventually(RECOVERY, "revocation applied", () -> a.sync.current().revokedJtis().contains("jti-dead"));
    Grant live = grant("jti-live", "alice", a.sync.epoch());

    signal("STOP", server.pid());
    try {
      eventually(MAX_STALENESS.plusSeconds(2), "stale while Redis does not answer", () -> !a.sync.fresh());
      assertThat(a.verdict(live)).isEqualTo(Reason.REVOCATION_STALE);
    } finally {
      signal("CONT", server.pid());
    }
    eventually(RECOVERY, "fresh again", a.sync::fresh);
    assertThat(a.verdict(live)).isNull();
    assertThat(a.verdict(grant("jti-dead", "alice", a.sync.epoch()))).isEqualTo(Reason.GRANT_REVOKED);
    assertThat(a.alerts).isEmpty();
    assertThat(await(a.store.load()).lockdown()).isFalse();
  }

  @Test
  void aKillAllIssuedWhileANodeIsCutOffIsEnforcedByItAsSoonAsItReconnects() throws Exception {
    PrivateRedis server = redis();
    TcpProxy link = TcpProxy.to(server.port());
    closeables.add(link);
    Node a = node("node-a", server.uri(), MAX_STALENESS);
    Node b = node("node-b", link.redisUri(), MAX_STALENESS);
    Grant old = grant("jti-1", "alice", b.sync.epoch());
    assertThat(b.verdict(old)).isNull();

    link.cut();
    long epoch = await(a.store.killAll(a.sync.epoch(), false));
    eventually(RECOVERY, "node A rejects the old grant", () -> a.verdict(old) == Reason.GRANT_REVOKED);
    // B has not heard of it, but it does not let the grant through either: it knows it is blind
    eventually(MAX_STALENESS.plusSeconds(2), "node B stale", () -> !b.sync.fresh());
    assertThat(b.sync.epoch()).isLessThan(epoch);
    assertThat(b.verdict(old)).isEqualTo(Reason.REVOCATION_STALE);

    link.restore();
    eventually(RECOVERY, "node B fresh and at the new epoch", () -> b.sync.fresh() && b.sync.epoch() == epoch);
    assertThat(b.verdict(old)).isEqualTo(Reason.GRANT_REVOKED);
    assertThat(b.verdict(grant("jti-2", "alice", epoch))).isNull();
  }

  @Test
  void redisRestartedEmptyNeverMovesTheEpochBackwardsOnAnyNode() throws Exception {
    PrivateRedis server = redis();
    Node a = node("node-a", server.uri(), MAX_STALENESS);
    Node b = node("node-b", server.uri(), MAX_STALENESS);
    long e0 = a.sync.epoch();
    for (int i = 0; i < 3; i++) {
      await(a.store.killAll(a.sync.epoch(), false));
    }
    await(a.store.suspend("bob"));
    long e3 = e0 + 3;
    eventually(RECOVERY, "both nodes three kills later", () -> a.sync.epoch() == e3 && b.sync.epoch() == e3);

    server.restart();
    eventually(
        RECOVERY,
        "both nodes fresh at the same re-seeded epoch",
        () -> a.sync.fresh() && b.sync.fresh() && a.sync.epoch() > e3 && a.sync.epoch() == b.sync.epoch());
    long reseeded = a.sync.epoch();
    RevocationStore.State s = await(b.store.load());
    assertThat(s.epoch()).as("both nodes noticed, one re-seed").isEqualTo(reseeded);
    assertThat(s.lockdown()).isTrue();
    assertThat(a.alerts.size() + b.alerts.size()).isPositive();
    // bob's suspension was lost with the data; lockdown covers him and everyone else
    assertThat(a.verdict(grant("jti-bob", "bob", reseeded))).isEqualTo(Reason.GRANT_REVOKED);
    assertThat(b.verdict(grant("jti-3", "alice", e3))).isEqualTo(Reason.GRANT_REVOKED);

    await(a.store.liftLockdown());
    eventually(RECOVERY, "lift applied on both", () -> !a.sync.current().lockdown() && !b.sync.current().lockdown());
    assertThat(b.verdict(grant("jti-4", "alice", reseeded))).isNull();
    assertThat(a.verdict(grant("jti-3", "alice", e3))).isEqualTo(Reason.GRANT_REVOKED);
  }

  @Test
  void aChangeWhosePubSubMessageWasLostIsPickedUpWhenTheSubscriptionComesBack() throws Exception {
    PrivateRedis server = redis();
    Node a = node("node-a", server.uri(), SLOW_TIMER);
    Node b = node("node-b", server.uri(), SLOW_TIMER);
    // published changes arrive at once, long before the 15 s confirmation timer
    await(a.store.suspend("alice"));
    eventually(Duration.ofSeconds(5), "suspension applied by B", () -> b.sync.current().suspendedAgents().contains("alice"));

    // a change whose message never reached anyone: written without PUBLISH
    RedisKeys keys = new RedisKeys("airlock:");
    raw(server, "SADD", keys.suspended(), "bob");
    raw(server, "INCR", keys.revocationVersion());
    assertThat(b.sync.current().suspendedAgents()).doesNotContain("bob");

    // every subscriber connection drops; Lettuce reconnects and resubscribes
    raw(server, "CLIENT", "KILL", "TYPE", "pubsub");
    eventually(
        Duration.ofSeconds(5),
        "both nodes reloaded after resubscribing",
        () -> b.sync.current().suspendedAgents().contains("bob") && a.sync.current().suspendedAgents().contains("bob"));
    assertThat(b.verdict(grant("jti-bob", "bob", b.sync.epoch()))).isEqualTo(Reason.AGENT_SUSPENDED);

    // and the resubscribed channel carries changes again
    await(a.store.resume("alice"));
    eventually(Duration.ofSeconds(5), "resume applied by B", () -> !b.sync.current().suspendedAgents().contains("alice"));
  }

  @Test
  void aNodeThatNeverSawStateInitialisesAnEmptyRedisAtWallClockEpochWithoutLockdown() throws Exception {
    PrivateRedis server = redis();
    long before = System.currentTimeMillis();
    Node a = node("node-a", server.uri(), MAX_STALENESS);
    RevocationStore.State s = await(a.store.load());
    assertThat(s.initialized()).isTrue();
    // at least the wall clock: had this Redis lost older state, every earlier grant is dead anyway
    assertThat(s.epoch()).isGreaterThanOrEqualTo(before);
    assertThat(s.lockdown()).isFalse();
    assertThat(a.alerts).isEmpty();
    assertThat(a.verdict(grant("jti-1", "alice", s.epoch()))).isNull();
    assertThat(a.verdict(grant("jti-0", "alice", before - 1))).isEqualTo(Reason.GRANT_REVOKED);
  }

  private static Object raw(PrivateRedis server, String... args) {
    return RedisSupport.command("127.0.0.1", server.port(), args);
  }

  private static void signal(String sig, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kill -" + sig + " " + pid).isZero();
  }
}
