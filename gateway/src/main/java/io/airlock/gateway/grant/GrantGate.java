package io.airlock.gateway.grant;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Grant;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Data plane step 3 on every request: a verified grant, or a refusal, without letting ECDSA
 * decide throughput (DESIGN.md "Known traps").
 *
 * <ul>
 *   <li>Verified grants are memoised by token string until their exp, so a hot grant costs a
 *       map look-up. This memoises the verification of one spelling only: a grant has several
 *       valid spellings (high-S twin), so revocation and replay are keyed on {@code jti}
 *       elsewhere, never here. Callers asking for the same token while it is being verified
 *       share that one verification.
 *   <li>On a miss the cheap checks run on the calling thread; only a token that passes them costs
 *       an ECDSA verification, on a small dedicated worker pool.
 *   <li>Addresses that keep presenting bad grants are refused before any work, and the number of
 *       signature verifications queued or running is bounded, so a flood of forged tokens from
 *       many addresses costs a bounded share of the CPU.
 * </ul>
 */
public final class GrantGate implements AutoCloseable {
  /** Failure counters are tiny, but addresses are attacker-chosen (IPv6): bound them. */
  static final long MAX_TRACKED_ADDRESSES = 100_000;

  private final GrantVerifier verifier;
  private final Clock clock;
  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final AsyncCache<String, Grant> verified;
  private final Cache<String, AtomicInteger> failures;
  private final int maxFailuresPerMinute;
  private final Semaphore signatureSlots;

  /**
   * @param ticker the cache's time source; tests advance it together with {@code clock}
   * @param workerThreads threads that run ECDSA verifications
   * @param maxSignaturesInFlight verifications queued or running before new ones fail fast
   */
  public GrantGate(
      Vertx vertx,
      GrantVerifier verifier,
      GrantsConfig config,
      Clock clock,
      Ticker ticker,
      int workerThreads,
      int maxSignaturesInFlight) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(ticker, "ticker");
    if (config.cacheMaxEntries() < 1) {
      throw new IllegalArgumentException("grants.cacheMaxEntries must be at least 1");
    }
    if (config.maxFailuresPerAddressPerMinute() < 1) {
      throw new IllegalArgumentException("grants.maxFailuresPerAddressPerMinute must be at least 1");
    }
    if (workerThreads < 1 || maxSignaturesInFlight < workerThreads) {
      throw new IllegalArgumentException(
          "need at least one worker and at least as many signature slots as workers");
    }
    this.maxFailuresPerMinute = config.maxFailuresPerAddressPerMinute();
    this.signatureSlots = new Semaphore(maxSignaturesInFlight);
    this.workers =
        vertx.createSharedWorkerExecutor("airlock-grant-verify", workerThreads);
    // Maintenance on the caller's thread: nothing here is slow, and no ForkJoinPool hop.
    Executor direct = Runnable::run;
    this.verified =
        Caffeine.newBuilder()
            .maximumSize(config.cacheMaxEntries())
            .ticker(ticker)
            .executor(direct)
            .expireAfter(new UntilExp(clock))
            .buildAsync();
    this.failures =
        Caffeine.newBuilder()
            .maximumSize(MAX_TRACKED_ADDRESSES)
            .ticker(ticker)
            .executor(direct)
            // A counter is created on the first failure and mutated in place, so this is a fixed
            // one-minute window from that failure, not a sliding one that an attacker keeps alive.
            .expireAfterWrite(Duration.ofMinutes(1))
            .build();
  }

  /** The production gate; see {@link #create}. */
  public GrantGate(Vertx vertx, GrantVerifier verifier, GrantsConfig config, Clock clock) {
    this(vertx, verifier, config, clock, Ticker.systemTicker(), cores(), 4 * cores());
  }

  /**
   * The production gate: system ticker, one ECDSA thread per core, and four verifications per
   * core in flight. At ~1.2 ms each on SunEC that queue drains in about 5 ms; beyond it new
   * signature work is refused rather than queued behind a flood.
   */
  public static GrantGate create(
      Vertx vertx, GrantVerifier verifier, GrantsConfig config, Clock clock) {
    return new GrantGate(vertx, verifier, config, clock);
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /**
   * @param clientAddress the peer address failures are counted against
   * @return the grant, or a failed future carrying {@link Denied}: the verifier's reasons, or
   *     {@link Reason#TOO_MANY_INVALID_GRANTS} when this address is over its failure budget or
   *     too many signature verifications are already in flight
   */
  public Future<Grant> verify(String token, String clientAddress) {
    String address = clientAddress == null ? "unknown" : clientAddress;
    CompletableFuture<Grant> cached = token == null ? null : verified.getIfPresent(token);
    if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
      Grant g = cached.join();
      if (clock.instant().isBefore(g.expiresAt())) {
        return Future.succeededFuture(g);
      }
      // The ticker and the clock may disagree; the clock decides, and the miss path below
      // applies the leeway exactly as a first verification would.
      verified.asMap().remove(token, cached);
    }
    // After the cache: a grant already verified costs nothing, even from a noisy address.
    AtomicInteger failed = failures.getIfPresent(address);
    if (failed != null && failed.get() >= maxFailuresPerMinute) {
      return Future.failedFuture(new Denied(Reason.TOO_MANY_INVALID_GRANTS,
          "too many invalid grants from this address; wait a minute before retrying"));
    }
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Grant> pending;
    try {
      pending = verified.get(Objects.requireNonNullElse(token, ""), (t, executor) -> start(t));
    } catch (RuntimeException e) {
      Throwable cause = unwrap(e);
      countFailure(address, cause);
      return Future.failedFuture(cause);
    }
    // Back onto the caller's context: a shared verification may complete on another's.
    return Future.fromCompletionStage(pending, context)
        .recover(e -> {
          Throwable cause = unwrap(e);
          countFailure(address, cause);
          return Future.failedFuture(cause);
        });
  }

  /** Cheap checks here, on the calling thread; ECDSA on the workers, if a slot is free. */
  private CompletableFuture<Grant> start(String token) {
    GrantVerifier.Prechecked checked = verifier.precheck(token);
    if (!signatureSlots.tryAcquire()) {
      // No reason in the list means "overloaded"; this one answers 429, which tells a client to
      // back off and retry, and the only way to get here is a flood of grants to verify.
      throw new Denied(Reason.TOO_MANY_INVALID_GRANTS,
          "too many grant signatures are being verified; retry shortly");
    }
    return workers
        .<Grant>executeBlocking(() -> {
          try {
            return verifier.checkSignature(checked);
          } finally {
            signatureSlots.release();
          }
        }, false)
        .toCompletionStage()
        .toCompletableFuture();
  }

  private void countFailure(String address, Throwable cause) {
    if (cause instanceof Denied d
        && (d.reason() == Reason.GRANT_INVALID || d.reason() == Reason.GRANT_EXPIRED)) {
      failures.get(address, a -> new AtomicInteger()).incrementAndGet();
    }
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  @Override
  public void close() {
    workers.close();
  }

  /** Each verified grant lives in the cache until its exp, by the injected clock. */
  private static final class UntilExp implements Expiry<String, Grant> {
    private final Clock clock;

    UntilExp(Clock clock) {
      this.clock = clock;
    }

    @Override
    public long expireAfterCreate(String token, Grant grant, long currentTime) {
      long nanos = Duration.between(clock.instant(), grant.expiresAt()).toNanos();
      return Math.max(0, nanos);
    }

    @Override
    public long expireAfterUpdate(
        String token, Grant grant, long currentTime, long currentDuration) {
      return expireAfterCreate(token, grant, currentTime);
    }

    @Override
    public long expireAfterRead(String token, Grant grant, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
