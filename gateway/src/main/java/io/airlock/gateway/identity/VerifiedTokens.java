package io.airlock.gateway.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.airlock.policy.staff.Staff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;

/**
 * What keeps signature checks off the event loop and out of the hot path: a bounded cache of
 * tokens already verified (a staff member's browser sends the same token on every API call for
 * hours), and a small worker pool for the RSA/ECDSA verification of a token seen for the first
 * time (ECDSA P-256 costs about 1.2 ms on SunEC). The number of verifications queued or running
 * is bounded, so a flood of forged tokens is refused instead of queueing behind itself.
 *
 * <p>The cache memoises one spelling of a token; nothing downstream keys on the token string.
 */
final class VerifiedTokens implements AutoCloseable {
  static final long MAX_ENTRIES = 10_000;

  private final Clock clock;
  private final WorkerExecutor workers;
  private final Semaphore slots;
  private final Cache<String, Entry> verified;

  private record Entry(Staff staff, Instant expiresAt) {}

  VerifiedTokens(Vertx vertx, String poolName, Clock clock) {
    this.clock = clock;
    int cores = Runtime.getRuntime().availableProcessors();
    this.workers = vertx.createSharedWorkerExecutor(poolName, Math.max(1, cores));
    this.slots = new Semaphore(4 * Math.max(1, cores));
    this.verified =
        Caffeine.newBuilder()
            .maximumSize(MAX_ENTRIES)
            .executor(Runnable::run)
            .expireAfter(new UntilExp(clock))
            .build();
  }

  /** The staff member of a token verified earlier and not expired by the clock, or null. */
  Staff cached(String token) {
    Entry e = verified.getIfPresent(token);
    if (e == null) {
      return null;
    }
    if (!clock.instant().isBefore(e.expiresAt())) {
      verified.invalidate(token);
      return null;
    }
    return e.staff();
  }

  void remember(String token, Staff staff, Instant expiresAt) {
    verified.put(token, new Entry(staff, expiresAt));
  }

  /** After the identity provider withdrew a key, tokens it signed must be checked again. */
  void forgetAll() {
    verified.invalidateAll();
  }

  /**
   * Runs a signature check on the worker pool; the result arrives on the caller's context.
   *
   * @return the check's result, or {@link Unauthenticated} when too many checks are in flight
   */
  <T> Future<T> offload(Callable<T> signatureCheck) {
    return offload(null, signatureCheck);
  }

  /**
   * As {@link #offload(Callable)}, but callers presenting the same token while it is being
   * checked share one check: the first request of a freshly signed-in user often arrives as a
   * burst (a UI opening several views), and a burst must neither cost one ECDSA each nor spill
   * over the in-flight bound into a 401.
   */
  @SuppressWarnings("unchecked")
  <T> Future<T> offload(String token, Callable<T> signatureCheck) {
    io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
    if (token == null) {
      return start(signatureCheck);
    }
    Future<Object>[] mine = new Future[1];
    Future<Object> shared =
        pending.computeIfAbsent(
            token,
            k -> {
              Future<Object> f = (Future<Object>) start(signatureCheck);
              mine[0] = f;
              return f;
            });
    if (mine[0] != null) {
      shared.onComplete(ar -> pending.remove(token, shared));
    }
    if (caller == null) {
      return (Future<T>) shared;
    }
    // each waiter continues on its own context, whoever ran the check
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    shared.onComplete(ar -> caller.runOnContext(v -> p.handle((io.vertx.core.AsyncResult<T>) (io.vertx.core.AsyncResult<?>) ar)));
    return p.future();
  }

  private final java.util.concurrent.ConcurrentHashMap<String, Future<Object>> pending =
      new java.util.concurrent.ConcurrentHashMap<>();

  private <T> Future<T> start(Callable<T> signatureCheck) {
    if (!slots.tryAcquire()) {
      return Future.failedFuture(
          new Unauthenticated("too many staff tokens are being verified; retry shortly"));
    }
    return workers.executeBlocking(
        () -> {
          try {
            return signatureCheck.call();
          } finally {
            slots.release();
          }
        },
        false);
  }

  @Override
  public void close() {
    workers.close();
  }

  /** An entry lives until its token's exp, by the injected clock. */
  private static final class UntilExp implements Expiry<String, Entry> {
    private final Clock clock;

    UntilExp(Clock clock) {
      this.clock = clock;
    }

    @Override
    public long expireAfterCreate(String token, Entry e, long currentTime) {
      return Math.max(0, Duration.between(clock.instant(), e.expiresAt()).toNanos());
    }

    @Override
    public long expireAfterUpdate(String token, Entry e, long currentTime, long currentDuration) {
      return expireAfterCreate(token, e, currentTime);
    }

    @Override
    public long expireAfterRead(String token, Entry e, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
