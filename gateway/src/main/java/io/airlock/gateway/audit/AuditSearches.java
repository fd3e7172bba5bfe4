package io.airlock.gateway.audit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The audit searches of one node: at most {@link #IN_FLIGHT} at a time, their parsing and
 * filtering on a small pool of their own. A search parses up to {@link AuditFeed#SCAN_CAP}
 * records; on the event loop that stalls every request of the node, and on Lettuce's I/O thread
 * it delays every command on the shared connection, including the revocation freshness check
 * that makes the node fail closed when it is late. The bound keeps a few security tabs (or a
 * script) from queueing an unbounded amount of that work.
 */
public final class AuditSearches {
  /** Searches one node runs at once; the next one is refused ({@link Busy}) rather than queued. */
  public static final int IN_FLIGHT = 2;

  private static final AtomicInteger POOLS = new AtomicInteger();
  private final Semaphore inFlight;
  private final ThreadPoolExecutor workers;

  public AuditSearches() {
    this(IN_FLIGHT);
  }

  public AuditSearches(int inFlight) {
    this.inFlight = new Semaphore(inFlight);
    int pool = POOLS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    // one thread per admitted search is enough: a search is a chain of steps, never two at once;
    // idle threads exit, so a feed needs no closing
    this.workers =
        new ThreadPoolExecutor(inFlight, inFlight, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "airlock-audit-search-" + pool + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.workers.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs one search if fewer than {@link #IN_FLIGHT} are running, else fails at once with {@link
   * Busy}. The search gets the executor its parsing and filtering must run on.
   */
  public <T> CompletionStage<T> admit(Function<Executor, CompletionStage<T>> search) {
    if (!inFlight.tryAcquire()) {
      return CompletableFuture.failedFuture(new Busy());
    }
    CompletionStage<T> running;
    try {
      running = search.apply(workers);
    } catch (RuntimeException e) {
      inFlight.release();
      return CompletableFuture.failedFuture(e);
    }
    return running.whenComplete((answer, err) -> inFlight.release());
  }

  /** Refused: this node is already running as many audit searches as it allows. */
  public static final class Busy extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Busy() {
      super("another audit search is running on this node; try again in a moment", null, false, false);
    }
  }
}
