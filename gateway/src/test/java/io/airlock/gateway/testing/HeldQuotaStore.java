package io.airlock.gateway.testing;

import io.airlock.policy.port.QuotaDecision;
import io.airlock.policy.port.QuotaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A quota store whose answer for one agent's read waits until the test releases it: the window
 * between the revocation check and the forward, held open. Every other call goes straight through.
 */
public final class HeldQuotaStore implements QuotaStore {
  /** One held read: {@link #entered} completes when the data plane asked, {@link #release} lets it go on. */
  public static final class Hold {
    public final CompletableFuture<Void> entered = new CompletableFuture<>();
    private final CompletableFuture<Void> released = new CompletableFuture<>();

    public void release() {
      released.complete(null);
    }
  }

  private final QuotaStore delegate;
  private final Map<String, Hold> holds = new ConcurrentHashMap<>();

  public HeldQuotaStore(QuotaStore delegate) {
    this.delegate = delegate;
  }

  /** Holds the next read by {@code agent}. */
  public Hold hold(String agent) {
    Hold h = new Hold();
    holds.put(agent, h);
    return h;
  }

  @Override
  public CompletionStage<QuotaDecision> recordRead(String agent, String client, Instant now, Limits limits) {
    Hold h = holds.remove(agent);
    if (h == null) {
      return delegate.recordRead(agent, client, now, limits);
    }
    h.entered.complete(null);
    return h.released.thenCompose(v -> delegate.recordRead(agent, client, now, limits));
  }

  @Override
  public CompletionStage<QuotaDecision> recordRequested(String agent, List<String> clients, Instant now, Limits limits) {
    return delegate.recordRequested(agent, clients, now, limits);
  }

  @Override
  public CompletionStage<Integer> distinctClientsRead(String agent, Instant now, Duration window) {
    return delegate.distinctClientsRead(agent, now, window);
  }
}
