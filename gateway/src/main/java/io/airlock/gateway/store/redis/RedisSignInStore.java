package io.airlock.gateway.store.redis;

import io.airlock.policy.port.SignInStore;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sign-in records in Redis, one string per record with its TTL ({@link RedisKeys#pendingSignIn},
 * {@link RedisKeys#signInHandoff}): written with {@code SET NX PX}, taken with {@code GETDEL}
 * (Redis 6.2+), both single-key and atomic on any topology, so of two nodes taking the same id
 * exactly one gets it. Redis expires what nobody collects.
 */
public final class RedisSignInStore implements SignInStore {
  private final RedisClusterAsyncCommands<String, String> redis;
  private final RedisKeys keys;

  public RedisSignInStore(RedisConnector connector) {
    this(connector.commands(), connector.keys());
  }

  public RedisSignInStore(RedisClusterAsyncCommands<String, String> redis, RedisKeys keys) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  @Override
  public CompletionStage<Boolean> putNew(Kind kind, String id, String value, Duration ttl) {
    Objects.requireNonNull(value, "value");
    if (ttl.toMillis() <= 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("ttl must be at least 1 ms: " + ttl));
    }
    return redis.set(key(kind, id), value, SetArgs.Builder.nx().px(ttl.toMillis())).thenApply("OK"::equals);
  }

  @Override
  public CompletionStage<Optional<String>> peek(Kind kind, String id) {
    return redis.get(key(kind, id)).thenApply(Optional::ofNullable);
  }

  @Override
  public CompletionStage<Optional<String>> take(Kind kind, String id) {
    return redis.getdel(key(kind, id)).thenApply(Optional::ofNullable);
  }

  private String key(Kind kind, String id) {
    return switch (kind) {
      case PENDING_SIGN_IN -> keys.pendingSignIn(id);
      case HANDOFF -> keys.signInHandoff(id);
    };
  }
}
