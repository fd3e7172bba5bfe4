package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.store.EventBusContract.Inbox;
import io.airlock.gateway.store.redis.RedisAccessRequestStore;
import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisEventBus;
import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.testing.RedisClusterSupport;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.port.AccessRequestStore;
import io.airlock.policy.port.StoreEvent;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole store contract on a three-master Redis Cluster: compare-and-swap is a single-key
 * script and indexes live in other slots, so this proves nothing needs a cross-slot step.
 */
class RedisClusterAccessRequestStoreTest extends AccessRequestStoreContract {
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static RedisClusterSupport cluster;
  private static RedisConnector redis;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterSupport.start();
    redis = await(RedisConnector.connect(config()));
  }

  private static RedisConfig config() {
    return new RedisConfig(
        cluster.uris(),
        true,
        "airlock:",
        RedisConfig.DEFAULT_COMMAND_TIMEOUT,
        RedisConfig.DEFAULT_CONNECT_TIMEOUT);
  }

  @AfterAll
  static void stopCluster() {
    if (redis != null) {
      redis.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected AccessRequestStore newStore() {
    RedisKeys keys = new RedisKeys("airlock:t" + TESTS.incrementAndGet() + ":");
    return new RedisAccessRequestStore(redis.commands(), keys, Clock.systemUTC(), AFTER_EXPIRY);
  }

  @Test
  void eventsReachASecondNodeThroughTheCluster() throws Exception {
    try (RedisConnector other = await(RedisConnector.connect(config()))) {
      RedisEventBus here = await(RedisEventBus.open(redis));
      RedisEventBus there = await(RedisEventBus.open(other));
      Inbox inbox = new Inbox("cluster");
      try (AutoCloseable x = there.subscribe(inbox)) {
        StoreEvent e = new StoreEvent("request.created", Map.of("id", "req-1", "test", "cluster"));
        here.publish(e);
        assertThat(inbox.next()).isEqualTo(e);
      }
    }
  }
}
