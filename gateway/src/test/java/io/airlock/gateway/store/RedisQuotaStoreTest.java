package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.store.redis.RedisQuotaStore;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.port.QuotaStore;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisQuotaStoreTest extends QuotaStoreContract {
  private static final String PREFIX = RedisSupport.uniquePrefix();
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static String uri;
  private static RedisConnector redis;
  private static RedisConnector otherNode;
  private RedisKeys keys;

  @BeforeAll
  static void connect() throws Exception {
    uri = RedisSupport.uri();
    redis = await(RedisConnector.connect(RedisConfig.of(uri).withKeyPrefix(PREFIX)));
    otherNode = await(RedisConnector.connect(RedisConfig.of(uri).withKeyPrefix(PREFIX)));
  }

  @AfterAll
  static void cleanUp() {
    if (redis != null) {
      redis.close();
    }
    if (otherNode != null) {
      otherNode.close();
    }
    RedisSupport.deleteKeys(uri, PREFIX);
  }

  @Override
  protected QuotaStore newStore() {
    keys = new RedisKeys(PREFIX + "t" + TESTS.incrementAndGet() + ":");
    return new RedisQuotaStore(redis.commands(), keys);
  }

  @Override
  protected QuotaStore sameState() {
    return new RedisQuotaStore(otherNode.commands(), keys);
  }

  private Object raw(String... args) {
    var hp = uri.substring("redis://".length()).split(":");
    return RedisSupport.command(hp[0], Integer.parseInt(hp[1]), args);
  }

  @Test
  void oneSortedSetPerAgentScoredByLastReadThatExpiresAfterTwentyFiveHours() throws Exception {
    Instant now = Instant.now();
    await(store.recordRead("alice", "c-1", now, LIMITS));
    assertThat(keys.quotaReads("alice")).isEqualTo(keys.prefix() + "quota:{alice}");
    assertThat(raw("ZRANGE", keys.quotaReads("alice"), "0", "-1", "WITHSCORES"))
        .isEqualTo(List.of("c-1", Long.toString(now.toEpochMilli())));
    long ttl = (Long) raw("PTTL", keys.quotaReads("alice"));
    assertThat(ttl).isBetween(25 * 3600_000L - 60_000, 25 * 3600_000L);
  }
}
