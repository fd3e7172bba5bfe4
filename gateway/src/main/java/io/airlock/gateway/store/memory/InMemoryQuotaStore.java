package io.airlock.gateway.store.memory;

import io.airlock.policy.port.QuotaDecision;
import io.airlock.policy.port.QuotaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Quotas of a single node with no shared store: per agent, each client's last time, pruned after
 * a day. The same arithmetic as the Redis script, under one lock per agent.
 */
public final class InMemoryQuotaStore implements QuotaStore {
  private final Map<String, Map<String, Long>> reads = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Long>> requested = new ConcurrentHashMap<>();

  @Override
  public CompletionStage<QuotaDecision> recordRead(String agent, String client, Instant now, Limits limits) {
    return CompletableFuture.completedFuture(record(reads, agent, List.of(client), now, limits));
  }

  @Override
  public CompletionStage<QuotaDecision> recordRequested(String agent, List<String> clients, Instant now, Limits limits) {
    return CompletableFuture.completedFuture(record(requested, agent, clients, now, limits));
  }

  @Override
  public CompletionStage<Integer> distinctClientsRead(String agent, Instant now, Duration window) {
    Map<String, Long> seen = reads.get(agent);
    if (seen == null) {
      return CompletableFuture.completedFuture(0);
    }
    long from = now.toEpochMilli() - window.toMillis();
    synchronized (seen) {
      return CompletableFuture.completedFuture((int) seen.values().stream().filter(t -> t > from).count());
    }
  }

  private static QuotaDecision record(
      Map<String, Map<String, Long>> all, String agent, List<String> clients, Instant now, Limits limits) {
    Map<String, Long> seen = all.computeIfAbsent(agent, a -> new HashMap<>());
    long t = now.toEpochMilli();
    long hourFrom = t - HOUR.toMillis();
    long dayFrom = t - DAY.toMillis();
    synchronized (seen) {
      seen.values().removeIf(at -> at <= dayFrom);
      int hour = (int) seen.values().stream().filter(at -> at > hourFrom).count();
      int day = seen.size();
      int newHour = 0;
      int newDay = 0;
      for (String c : clients) {
        Long at = seen.get(c);
        if (at == null || at <= hourFrom) {
          newHour++;
        }
        if (at == null) {
          newDay++;
        }
      }
      if (limits.perHour() > 0 && newHour > 0 && hour + newHour > limits.perHour()) {
        return new QuotaDecision(QuotaDecision.Outcome.OVER_HOURLY_LIMIT, hour, day);
      }
      if (newDay > 0 && day + newDay > limits.perDay()) {
        return new QuotaDecision(QuotaDecision.Outcome.OVER_DAILY_LIMIT, hour, day);
      }
      for (String c : clients) {
        seen.merge(c, t, Math::max);
      }
      return new QuotaDecision(
          newHour == 0 ? QuotaDecision.Outcome.ALREADY_COUNTED : QuotaDecision.Outcome.COUNTED, hour + newHour, day + newDay);
    }
  }
}
