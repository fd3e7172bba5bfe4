package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.store.redis.RedisQuotaStore;
import io.airlock.policy.port.QuotaStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisQuotaStoreTest extends QuotaStoreContract {
  private static TwoRedisNodes redis;
  private RedisKeys keys;

  @BeforeAll
  static void connect() throws Exception {
    redis = TwoRedisNodes.connect();
  }

  @AfterAll
  static void cleanUp() {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected QuotaStore newStore() {
    keys = redis.freshKeys();
    return new RedisQuotaStore(redis.node.commands(), keys);
  }

  @Override
  protected QuotaStore sameState() {
    return new RedisQuotaStore(redis.otherNode.commands(), keys);
  }

  private Object raw(String... args) {
    return redis.raw(args);
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
