package io.airlock.gateway.store;

import static io.airlock.gateway.store.Requests.approvedBy;
import static io.airlock.gateway.store.Requests.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.gateway.store.redis.RedisAccessRequestStore;
import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.port.AccessRequestStore;
import io.airlock.policy.request.AccessRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisAccessRequestStoreTest extends AccessRequestStoreContract {
  private static final String PREFIX = RedisSupport.uniquePrefix();
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static String uri;
  private static RedisConnector redis;
  private RedisKeys keys;

  @BeforeAll
  static void connect() throws Exception {
    uri = RedisSupport.uri();
    redis = await(RedisConnector.connect(RedisConfig.of(uri).withKeyPrefix(PREFIX)));
  }

  @AfterAll
  static void cleanUp() {
    if (redis != null) {
      redis.close();
    }
    RedisSupport.deleteKeys(uri, PREFIX);
  }

  @Override
  protected AccessRequestStore newStore() {
    // one prefix per test under the run's prefix: indexes like req:pending start empty
    keys = new RedisKeys(PREFIX + "t" + TESTS.incrementAndGet() + ":");
    return new RedisAccessRequestStore(redis.commands(), keys, Clock.systemUTC(), AFTER_EXPIRY);
  }

  private Object raw(String... args) {
    var hp = uri.substring("redis://".length()).split(":");
    return RedisSupport.command(hp[0], Integer.parseInt(hp[1]), args);
  }

  @Test
  void theLayoutIsOneHashPerRequestAndAGrantKeyThatOutlivesTheGrantByTheLeewayAndMargin() throws Exception {
    AccessRequest r = pending("req-1", "alice", now);
    await(store.create(r));
    Instant exp = now.plus(Duration.ofMinutes(15));
    await(store.compareAndSet(0, approvedBy(r, "maria", "jti-1", exp)));

    assertThat(keys.request("req-1")).isEqualTo(PREFIX + "t" + TESTS.get() + ":req:{req-1}");
    assertThat(raw("HGET", keys.request("req-1"), "version")).isEqualTo("1");
    assertThat(raw("HGET", keys.grant("jti-1"), "req")).isEqualTo("req-1");
    long pexpireAt = (Long) raw("PEXPIRETIME", keys.grant("jti-1"));
    assertThat(pexpireAt).isEqualTo(exp.plus(AFTER_EXPIRY).toEpochMilli());
    assertThat(raw("ZSCORE", keys.activeGrants(), "jti-1")).isEqualTo(Long.toString(exp.toEpochMilli()));
    assertThat(raw("ZSCORE", keys.pending(), "req-1")).isNull();
  }

  @Test
  void leftoverIndexEntriesNeverShowARequestInAStateItIsNotIn() throws Exception {
    AccessRequest r = pending("req-1", "alice", now);
    await(store.create(r));
    AccessRequest approved = approvedBy(r, "maria", "jti-1", now.plus(Duration.ofMinutes(15)));
    await(store.compareAndSet(0, approved));
    // what a node crashing between its writes leaves behind
    raw("ZADD", keys.pending(), "1", "req-1");
    raw("ZADD", keys.pending(), "2", "req-never-written");
    raw("ZADD", keys.activeGrants(), Long.toString(now.plusSeconds(60).toEpochMilli()), "jti-lost");
    raw("HSET", keys.grant("jti-lost"), "req", "req-1");

    assertThat(await(store.pending())).isEmpty();
    assertThat(await(store.activeGrants(now))).containsExactly(approved);
    assertThat(await(store.byGrant("jti-lost"))).isEmpty();
    // the decided request's stale pending entry is pruned; a record that may be mid-create is not
    assertThat(raw("ZRANGE", keys.pending(), "0", "-1")).isEqualTo(List.of("req-never-written"));
  }

  @Test
  void aStoredRecordThatIsNotAnAccessRequestFailsLoudly() throws Exception {
    raw("HSET", keys.request("req-bad"), "json", "{\"format\":1,\"id\":\"req-bad\"}", "version", "0");
    assertThatThrownBy(() -> await(store.get("req-bad")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requester");
  }
}
