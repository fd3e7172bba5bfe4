package io.airlock.gateway.store;

import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.policy.config.RedisConfig;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two connections to the shared Redis, as two nodes would hold them, under one unique prefix
 * that {@link #close} deletes; each test takes its own key space with {@link #freshKeys}.
 */
final class TwoRedisNodes implements AutoCloseable {
  private final String prefix = RedisSupport.uniquePrefix();
  private final AtomicInteger tests = new AtomicInteger();
  final String uri = RedisSupport.uri();
  final RedisConnector node;
  final RedisConnector otherNode;

  private TwoRedisNodes() throws Exception {
    node = open();
    RedisConnector other;
    try {
      other = open();
    } catch (Exception e) {
      node.close();
      throw e;
    }
    otherNode = other;
  }

  static TwoRedisNodes connect() throws Exception {
    return new TwoRedisNodes();
  }

  private RedisConnector open() throws Exception {
    return RedisConnector.connect(RedisConfig.of(uri).withKeyPrefix(prefix))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** Keys no other test in this run uses. */
  RedisKeys freshKeys() {
    return new RedisKeys(prefix + "t" + tests.incrementAndGet() + ":");
  }

  /** One raw command on its own connection, to look at what a store wrote. */
  Object raw(String... args) {
    var hp = uri.substring("redis://".length()).split(":");
    return RedisSupport.command(hp[0], Integer.parseInt(hp[1]), args);
  }

  @Override
  public void close() {
    node.close();
    otherNode.close();
    RedisSupport.deleteKeys(uri, prefix);
  }
}
