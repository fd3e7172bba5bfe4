package io.airlock.gateway.store;

import io.airlock.gateway.audit.AuditFeed;
import io.airlock.gateway.audit.RingAuditFeed;
import io.airlock.gateway.store.memory.InMemoryAccessRequestStore;
import io.airlock.gateway.store.memory.InMemoryEventBus;
import io.airlock.gateway.store.memory.InMemoryQuotaStore;
import io.airlock.gateway.store.memory.InMemoryRevocationStore;
import io.airlock.gateway.store.memory.InMemorySignInStore;
import io.airlock.gateway.store.redis.RedisAccessRequestStore;
import io.airlock.gateway.store.redis.RedisAuditFeed;
import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisEventBus;
import io.airlock.gateway.store.redis.RedisQuotaStore;
import io.airlock.gateway.store.redis.RedisRevocationStore;
import io.airlock.gateway.store.redis.RedisSignInStore;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.port.AccessRequestStore;
import io.airlock.policy.port.EventBus;
import io.airlock.policy.port.QuotaStore;
import io.airlock.policy.port.RevocationStore;
import io.airlock.policy.port.SignInStore;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's shared state: Redis when {@code redis} is configured (every node sees the same),
 * otherwise in process, single node only, which start-up says loudly.
 */
public record Stores(
    AccessRequestStore requests,
    EventBus events,
    RevocationStore revocations,
    AuditFeed auditFeed,
    QuotaStore quotas,
    SignInStore signIns,
    AutoCloseable closer)
    implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Stores.class);

  /** Connects (blocking, start-up only); fails when Redis is configured but does not answer. */
  public static Stores open(AirlockConfig config, Clock clock) throws Exception {
    java.time.Duration afterExpiry = config.grants().revocableAfterExpiry();
    if (config.redis().isEmpty()) {
      log.warn(
          "=== node {}: NO SHARED STORE (no 'redis' in airlock.yaml): requests, grants, revocation state and sign-ins in progress are "
              + "in-process. Single node only: a second node would not see kills or revocations. ===",
          config.node().id());
      return new Stores(
          new InMemoryAccessRequestStore(clock, afterExpiry),
          new InMemoryEventBus(),
          new InMemoryRevocationStore(clock, afterExpiry),
          new RingAuditFeed(10_000),
          new InMemoryQuotaStore(),
          new InMemorySignInStore(),
          () -> {});
    }
    RedisConnector redis = RedisConnector.connect(config.redis().get()).toCompletableFuture().get();
    try {
      RedisEventBus bus = RedisEventBus.open(redis).toCompletableFuture().get();
      log.info("node {}: shared store is Redis at {}", config.node().id(), config.redis().get().redactedUris());
      return new Stores(
          new RedisAccessRequestStore(redis, clock, afterExpiry),
          bus,
          new RedisRevocationStore(redis, clock, afterExpiry),
          new RedisAuditFeed(redis, config.audit().streamMaxLength()),
          new RedisQuotaStore(redis),
          new RedisSignInStore(redis),
          redis);
    } catch (Exception e) {
      redis.close();
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    closer.close();
  }
}
