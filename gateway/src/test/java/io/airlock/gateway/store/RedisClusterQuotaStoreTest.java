package io.airlock.gateway.store;

import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.store.redis.RedisQuotaStore;
import io.airlock.gateway.testing.RedisClusterSupport;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.port.QuotaStore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The quota contract on a three-master Cluster: the record script touches one key, so any slot works. */
class RedisClusterQuotaStoreTest extends QuotaStoreContract {
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static RedisClusterSupport cluster;
  private static RedisConnector redis;
  private static RedisConnector otherNode;
  private RedisKeys keys;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterSupport.start();
    redis = await(RedisConnector.connect(config()));
    otherNode = await(RedisConnector.connect(config()));
  }

  private static RedisConfig config() {
    return new RedisConfig(cluster.uris(), true, "airlock:", RedisConfig.DEFAULT_COMMAND_TIMEOUT, RedisConfig.DEFAULT_CONNECT_TIMEOUT);
  }

  @AfterAll
  static void stopCluster() {
    if (redis != null) {
      redis.close();
    }
    if (otherNode != null) {
      otherNode.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected QuotaStore newStore() {
    keys = new RedisKeys("airlock:q" + TESTS.incrementAndGet() + ":");
    return new RedisQuotaStore(redis.commands(), keys);
  }

  @Override
  protected QuotaStore sameState() {
    return new RedisQuotaStore(otherNode.commands(), keys);
  }
}
