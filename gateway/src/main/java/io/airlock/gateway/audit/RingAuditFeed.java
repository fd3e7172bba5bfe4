package io.airlock.gateway.audit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The last {@code capacity} records of this node, for single-node deployments without Redis. An
 * answer is searched on {@link AuditSearches}' pool, never on the caller's (event-loop) thread.
 */
public final class RingAuditFeed implements AuditFeed {
  private final int capacity;
  private final long scanCap;
  private final ArrayDeque<String> ring;
  private final AuditSearches searches = new AuditSearches();

  public RingAuditFeed(int capacity) {
    this(capacity, SCAN_CAP);
  }

  /** @param scanCap records one answer examines at most (tests make it small) */
  public RingAuditFeed(int capacity, long scanCap) {
    this.capacity = capacity;
    this.scanCap = scanCap;
    this.ring = new ArrayDeque<>(Math.min(capacity, 4096));
  }

  @Override
  public synchronized void mirror(String recordJson) {
    if (ring.size() == capacity) {
      ring.removeFirst();
    }
    ring.addLast(recordJson);
  }

  @Override
  public CompletionStage<Answer> recent(Query query) {
    return searches.admit(workers -> CompletableFuture.supplyAsync(() -> search(query), workers));
  }

  private Answer search(Query query) {
    List<String> snapshot;
    synchronized (this) {
      snapshot = new ArrayList<>(ring);
    }
    AuditScan scan = new AuditScan(query, scanCap);
    for (int i = snapshot.size() - 1; i >= 0; i--) {
      if (!scan.offer(snapshot.get(i))) {
        break;
      }
    }
    return scan.answer();
  }
}
