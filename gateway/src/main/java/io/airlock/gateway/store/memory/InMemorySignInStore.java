package io.airlock.gateway.store.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.airlock.policy.port.SignInStore;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sign-in records of a single node with no shared store. Bounded: past {@link #MAX_PER_KIND}
 * records of a kind, a flood of logins evicts old ones instead of growing the heap (a sign-in
 * evicted that way fails and is started again).
 */
public final class InMemorySignInStore implements SignInStore {
  /** Sign-ins in progress at once, and outcomes waiting to be collected, each. */
  public static final int MAX_PER_KIND = 10_000;

  private record Held(String value, Duration ttl) {}

  private final Map<Kind, Cache<String, Held>> records = new EnumMap<>(Kind.class);

  public InMemorySignInStore() {
    this(MAX_PER_KIND);
  }

  /** @param maxPerKind the bound, smaller in tests that show it holds */
  public InMemorySignInStore(int maxPerKind) {
    for (Kind kind : Kind.values()) {
      records.put(kind, Caffeine.newBuilder()
          .maximumSize(maxPerKind)
          .expireAfter(Expiry.creating((String id, Held h) -> h.ttl()))
          // evict on the writer's thread: the bound holds when put returns, not some time later
          .executor(Runnable::run)
          .build());
    }
  }

  @Override
  public CompletionStage<Boolean> putNew(Kind kind, String id, String value, Duration ttl) {
    Objects.requireNonNull(value, "value");
    if (ttl.isNegative() || ttl.isZero()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("ttl must be positive: " + ttl));
    }
    return CompletableFuture.completedFuture(records.get(kind).asMap().putIfAbsent(id, new Held(value, ttl)) == null);
  }

  @Override
  public CompletionStage<Optional<String>> peek(Kind kind, String id) {
    return CompletableFuture.completedFuture(Optional.ofNullable(records.get(kind).getIfPresent(id)).map(Held::value));
  }

  @Override
  public CompletionStage<Optional<String>> take(Kind kind, String id) {
    // Caffeine's remove answers null for an entry that has expired but not yet been cleaned up
    return CompletableFuture.completedFuture(Optional.ofNullable(records.get(kind).asMap().remove(id)).map(Held::value));
  }
}
