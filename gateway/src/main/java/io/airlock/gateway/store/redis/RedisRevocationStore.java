package io.airlock.gateway.store.redis;

import io.airlock.policy.port.RevocationStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** Placeholder replaced by the Redis implementation (branch h-revocation). */
public final class RedisRevocationStore implements RevocationStore {
  public RedisRevocationStore(RedisConnector connector, Clock clock) {
    throw new IllegalStateException("the Redis revocation store is not built yet; run without redis");
  }

  @Override public CompletionStage<State> load() { throw new IllegalStateException(); }
  @Override public CompletionStage<Stamp> stamp() { throw new IllegalStateException(); }
  @Override public CompletionStage<Long> killAll(long floor, boolean lockdown) { throw new IllegalStateException(); }
  @Override public CompletionStage<Long> reseedIfEmpty(long floor) { throw new IllegalStateException(); }
  @Override public CompletionStage<Void> initialize() { throw new IllegalStateException(); }
  @Override public CompletionStage<Void> revoke(String jti, Instant grantExpiresAt) { throw new IllegalStateException(); }
  @Override public CompletionStage<Void> suspend(String agent) { throw new IllegalStateException(); }
  @Override public CompletionStage<Void> resume(String agent) { throw new IllegalStateException(); }
  @Override public CompletionStage<Void> liftLockdown() { throw new IllegalStateException(); }
  @Override public CompletionStage<Void> heartbeat(String nodeId, long acknowledgedEpoch, Instant at) { throw new IllegalStateException(); }
  @Override public CompletionStage<List<NodeStatus>> nodes(Instant now, Duration liveWithin) { throw new IllegalStateException(); }
  @Override public AutoCloseable subscribe(Consumer<Change> onChange, Runnable onSubscribed) { throw new IllegalStateException(); }
}
