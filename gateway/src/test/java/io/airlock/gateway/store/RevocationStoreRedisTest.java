package io.airlock.gateway.store;

import static io.airlock.gateway.store.AccessRequestStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.store.redis.RedisRevocationStore;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.Wire;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.port.RevocationStore;
import io.airlock.policy.port.RevocationStore.Change;
import io.lettuce.core.cluster.SlotHash;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two connectors with their own connections stand for two gateway nodes on one Redis. */
class RevocationStoreRedisTest extends RevocationStoreContract {
  private static final String PREFIX = RedisSupport.uniquePrefix();
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static String uri;
  private static final RedisConnector[] nodes = new RedisConnector[2];
  private RedisKeys keys;

  @BeforeAll
  static void connect() throws Exception {
    uri = RedisSupport.uri();
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = await(RedisConnector.connect(RedisConfig.of(uri).withKeyPrefix(PREFIX)));
    }
  }

  @AfterAll
  static void cleanUp() {
    for (RedisConnector c : nodes) {
      if (c != null) {
        c.close();
      }
    }
    RedisSupport.deleteKeys(uri, PREFIX);
  }

  @Override
  protected RevocationStore[] newStores(Clock clock, Duration revocableAfterExpiry) {
    // one prefix per test under the run's prefix: every test starts from an empty state
    keys = new RedisKeys(PREFIX + "t" + TESTS.incrementAndGet() + ":");
    return new RevocationStore[] {
      new RedisRevocationStore(nodes[0].commands(), nodes[0].pubSub(), keys, clock, revocableAfterExpiry),
      new RedisRevocationStore(nodes[1].commands(), nodes[1].pubSub(), keys, clock, revocableAfterExpiry)
    };
  }

  private Object raw(String... args) {
    var hp = uri.substring("redis://".length()).split(":");
    return RedisSupport.command(hp[0], Integer.parseInt(hp[1]), args);
  }

  @Test
  void everyRevocationKeyIsInOneSlotAndRevokedIdsAreOneSortedSet() throws Exception {
    List<String> all =
        List.of(keys.revocationInit(), keys.revocationVersion(), keys.epoch(), keys.revoked(), keys.suspended(),
            keys.lockdown(), keys.nodes(), keys.revocationChanges());
    assertThat(all).extracting(SlotHash::getSlot).containsOnly(SlotHash.getSlot(keys.epoch()));

    Instant exp = clock.instant().plus(Duration.ofMinutes(15));
    await(store().revoke("jti-1", exp));
    await(store().suspend("alice"));
    await(store().killAll(0, true));
    assertThat(raw("ZSCORE", keys.revoked(), "jti-1")).isEqualTo(Long.toString(exp.toEpochMilli()));
    assertThat(raw("SMEMBERS", keys.suspended())).isEqualTo(List.of("alice"));
    assertThat(raw("GET", keys.epoch())).isEqualTo("1");
    assertThat(raw("GET", keys.lockdown())).isEqualTo("1");
    assertThat(raw("GET", keys.revocationVersion())).isEqualTo("3");

    // a load once no node accepts the grant any more prunes its id from Redis, not only from the answer
    clock.set(exp.plus(AFTER_EXPIRY));
    await(otherNode().load());
    assertThat(raw("ZCARD", keys.revoked())).isEqualTo(1L);
    clock.set(exp.plus(AFTER_EXPIRY).plusMillis(1));
    await(otherNode().load());
    assertThat(raw("ZCARD", keys.revoked())).isEqualTo(0L);
  }

  @Test
  void aLongDeadNodeIsRemovedFromRedisButANewHeartbeatIsNot() throws Exception {
    Instant now = clock.instant();
    await(store().heartbeat("node-old", 1, now.minus(Duration.ofHours(2))));
    await(store().heartbeat("node-a", 1, now));
    await(store().nodes(now, Duration.ofSeconds(3)));
    // the removal does not hold up the answer: poll for it
    assertThat(Wire.poll(Duration.ofSeconds(5), () -> raw("HGET", keys.nodes(), "node-old") == null)).isTrue();
    assertThat(raw("HGET", keys.nodes(), "node-a")).isEqualTo("1|" + now.toEpochMilli());
  }

  @Test
  void somethingElseOnTheChannelNeverReachesSubscribers() throws Exception {
    LinkedBlockingQueue<Change> seen = new LinkedBlockingQueue<>();
    CountDownLatch subscribed = new CountDownLatch(1);
    try (AutoCloseable sub = otherNode().subscribe(seen::add, subscribed::countDown)) {
      assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
      raw("PUBLISH", keys.revocationChanges(), "not json");
      raw("PUBLISH", keys.revocationChanges(), "{\"kind\":\"UNHEARD_OF\",\"value\":\"x\",\"version\":1}");
      await(store().suspend("alice"));
      assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo(new Change(Change.Kind.SUSPEND, "alice", 1));
      assertThat(seen).isEmpty();
    }
  }
}
