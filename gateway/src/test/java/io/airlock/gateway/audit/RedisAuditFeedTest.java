package io.airlock.gateway.audit;

import io.airlock.gateway.store.redis.RedisAuditFeed;
import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.Wire;
import io.airlock.policy.config.RedisConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/** The cluster-wide stream on the real Redis, one key prefix per test. */
class RedisAuditFeedTest extends AuditFeedContract {
  private final List<RedisConnector> connectors = new ArrayList<>();
  private final List<String> prefixes = new ArrayList<>();

  @Override
  protected AuditFeed newFeed(long scanCap) throws Exception {
    String prefix = RedisSupport.uniquePrefix();
    prefixes.add(prefix);
    RedisConnector redis =
        RedisConnector.connect(RedisConfig.of(RedisSupport.uri()).withKeyPrefix(prefix)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    connectors.add(redis);
    return new RedisAuditFeed(redis, 1_000_000, scanCap);
  }

  @Override
  protected void awaitMirrored(AuditFeed feed, long count) {
    String key = prefixes.get(prefixes.size() - 1) + "audit";
    RedisConnector redis = connectors.get(connectors.size() - 1);
    boolean all = Wire.poll(Duration.ofSeconds(30), () -> {
      try {
        return redis.commands().xlen(key).toCompletableFuture().get(5, TimeUnit.SECONDS) >= count;
      } catch (Exception e) {
        return false;
      }
    });
    if (!all) {
      throw new AssertionError("the stream " + key + " did not reach " + count + " records within 30 s");
    }
  }

  /**
   * The revocation freshness check shares the feed's connection: a search must not hold up its
   * commands. Before searches moved off Lettuce's I/O thread, a held filter blocked this GET.
   */
  @Test
  void theConnectionAnswersWhileSearchesAreHeldMidParse() throws Exception {
    AuditFeed feed = newFeed(AuditFeed.SCAN_CAP);
    for (int i = 0; i < 10; i++) {
      feed.mirror("{\"ts\":\"2026-11-26T09:00:00Z\",\"type\":\"access\"}");
    }
    awaitMirrored(feed, 10);
    RedisConnector redis = connectors.get(connectors.size() - 1);

    try (HeldSearches held = new HeldSearches(feed, AuditSearches.IN_FLIGHT)) {
      assertThat(held.threads).noneMatch(t -> t.startsWith("lettuce"));
      assertThat(redis.commands().xlen(prefixes.get(prefixes.size() - 1) + "audit").toCompletableFuture().get(5, TimeUnit.SECONDS))
          .isEqualTo(10);
    }
  }

  @AfterEach
  void cleanUp() {
    connectors.forEach(RedisConnector::close);
    prefixes.forEach(p -> RedisSupport.deleteKeys(RedisSupport.uri(), p));
  }
}
