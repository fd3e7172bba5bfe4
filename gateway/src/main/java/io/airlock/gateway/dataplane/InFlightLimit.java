package io.airlock.gateway.dataplane;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps how many requests one agent may have in flight at once, across every event loop of the
 * node. One agent hammering a slow backend (a script gone wrong, or a deliberate attempt to
 * exhaust the backend pool) is answered 429 while other agents keep being served. The slot is
 * taken here, after the scope check, and given back by the {@link Pipeline} when the exchange
 * completes, however it completes.
 */
final class InFlightLimit implements Stage {
  /** Support work is one screen at a time; 32 parallel requests is far beyond any UI. */
  static final int DEFAULT_PER_AGENT = 32;

  private final int perAgent;
  private final ConcurrentHashMap<String, Integer> byAgent = new ConcurrentHashMap<>();
  // request id -> agent, so a completion gives back only a slot that was really taken
  private final ConcurrentHashMap<String, String> held = new ConcurrentHashMap<>();

  InFlightLimit(int perAgent) {
    if (perAgent < 1) {
      throw new IllegalArgumentException("per-agent in-flight limit must be at least 1, got " + perAgent);
    }
    this.perAgent = perAgent;
  }

  @Override
  public Future<Exchange> apply(Exchange ex) {
    String agent = ex.grant().agent();
    boolean[] taken = {false};
    byAgent.compute(
        agent,
        (a, n) -> {
          int now = n == null ? 0 : n;
          if (now >= perAgent) {
            return n;
          }
          taken[0] = true;
          return now + 1;
        });
    if (!taken[0]) {
      throw new Denied(
          Reason.TOO_MANY_IN_FLIGHT, "agent " + agent + " already has " + perAgent + " requests in flight; retry when one completes");
    }
    held.put(ex.requestId(), agent);
    return Future.succeededFuture(ex);
  }

  @Override
  public void completed(String requestId) {
    String agent = held.remove(requestId);
    if (agent != null) {
      byAgent.computeIfPresent(agent, (a, n) -> n <= 1 ? null : n - 1);
    }
  }

  /** Requests {@code agent} has in flight now (tests, metrics). */
  int inFlight(String agent) {
    return byAgent.getOrDefault(agent, 0);
  }
}
