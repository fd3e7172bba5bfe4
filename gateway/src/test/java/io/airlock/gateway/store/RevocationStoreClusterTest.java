package io.airlock.gateway.store;

import static io.airlock.gateway.store.AccessRequestStoreContract.await;

import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.store.redis.RedisRevocationStore;
import io.airlock.gateway.testing.RedisClusterSupport;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.port.RevocationStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole revocation contract on a three-master Redis Cluster: every script touches only
 * {@code {rev}} keys (one slot), and changes published from a script reach a subscriber that is
 * connected to another master.
 */
class RevocationStoreClusterTest extends RevocationStoreContract {
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static RedisClusterSupport cluster;
  private static final RedisConnector[] nodes = new RedisConnector[2];

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterSupport.start();
    RedisConfig config =
        new RedisConfig(cluster.uris(), true, "airlock:", RedisConfig.DEFAULT_COMMAND_TIMEOUT, RedisConfig.DEFAULT_CONNECT_TIMEOUT);
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = await(RedisConnector.connect(config));
    }
  }

  @AfterAll
  static void stopCluster() {
    for (RedisConnector c : nodes) {
      if (c != null) {
        c.close();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected RevocationStore[] newStores(Clock clock, Duration revocableAfterExpiry) {
    RedisKeys keys = new RedisKeys("airlock:t" + TESTS.incrementAndGet() + ":");
    return new RevocationStore[] {
      new RedisRevocationStore(nodes[0].commands(), nodes[0].pubSub(), keys, clock, revocableAfterExpiry),
      new RedisRevocationStore(nodes[1].commands(), nodes[1].pubSub(), keys, clock, revocableAfterExpiry)
    };
  }
}
