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
 * records of a kind, new ones are refused ({@link SignInStore.Full}) until some expire or are
 * taken. Never evicted early: a size-evicting cache (Caffeine's is frequency-based) would let a
 * flood of logins push out a real user's sign-in while they are at the identity provider.
 */
public final class InMemorySignInStore implements SignInStore {
  /** Sign-ins in progress at once, and outcomes waiting to be collected, each. */
  public static final int MAX_PER_KIND = 10_000;

  private record Held(String value, Duration ttl) {}

  private final Map<Kind, Cache<String, Held>> records = new EnumMap<>(Kind.class);
  private final int maxPerKind;

  public InMemorySignInStore() {
    this(MAX_PER_KIND);
  }

  /** @param maxPerKind the bound, smaller in tests that show it holds */
  public InMemorySignInStore(int maxPerKind) {
    if (maxPerKind < 1) {
      throw new IllegalArgumentException("maxPerKind must be at least 1");
    }
    this.maxPerKind = maxPerKind;
    for (Kind kind : Kind.values()) {
      records.put(kind, Caffeine.newBuilder()
          .expireAfter(Expiry.creating((String id, Held h) -> h.ttl()))
          // clean up on the writer's thread: expired records free their place when cleanUp returns
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
    Cache<String, Held> cache = records.get(kind);
    // one writer per kind at a time, so the check and the put cannot overshoot the bound together
    synchronized (cache) {
      if (cache.estimatedSize() >= maxPerKind) {
        cache.cleanUp();
        if (cache.estimatedSize() >= maxPerKind) {
          return CompletableFuture.failedFuture(new Full(kind, cache.estimatedSize()));
        }
      }
      return CompletableFuture.completedFuture(cache.asMap().putIfAbsent(id, new Held(value, ttl)) == null);
    }
  }

  /** Records of this kind held now, expired ones not yet cleaned up included. */
  public long held(Kind kind) {
    return records.get(kind).estimatedSize();
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
