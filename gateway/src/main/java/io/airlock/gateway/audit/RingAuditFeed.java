package io.airlock.gateway.audit;

import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/** The last {@code capacity} records of this node, for single-node deployments without Redis. */
public final class RingAuditFeed implements AuditFeed {
  private final int capacity;
  private final ArrayDeque<String> ring;

  public RingAuditFeed(int capacity) {
    this.capacity = capacity;
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
  public CompletionStage<List<JsonObject>> recent(int limit, Predicate<JsonObject> filter) {
    List<String> snapshot;
    synchronized (this) {
      snapshot = new ArrayList<>(ring);
    }
    List<JsonObject> out = new ArrayList<>();
    for (int i = snapshot.size() - 1; i >= 0 && out.size() < limit; i--) {
      JsonObject r = new JsonObject(snapshot.get(i));
      if (filter.test(r)) {
        out.add(r);
      }
    }
    return CompletableFuture.completedFuture(out);
  }
}
