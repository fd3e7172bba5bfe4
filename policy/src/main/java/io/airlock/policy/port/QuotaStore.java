package io.airlock.policy.port;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Distinct clients per agent in rolling windows, shared by every node (DESIGN.md data-plane step
 * 7). Exact, never a sketch: a quota an insider can overshoot by a sketch's error is a quota
 * they can plan around.
 *
 * <p>Each record call is one atomic check-and-record: a client the agent already touched within
 * the hour is free; any other client is counted only if that keeps the agent within both limits,
 * and a refused call records nothing. Two nodes racing for the last slot cannot both win.
 */
public interface QuotaStore {
  /** One hour and one day, the windows every limit is counted over. */
  Duration HOUR = Duration.ofHours(1);

  Duration DAY = Duration.ofHours(24);

  /** A data-plane read of {@code client} by {@code agent} at {@code now}. */
  CompletionStage<QuotaDecision> recordRead(String agent, String client, Instant now, Limits limits);

  /**
   * Clients named in one access request, all or nothing: either every client is recorded or,
   * over the limit, none is.
   */
  CompletionStage<QuotaDecision> recordRequested(String agent, List<String> clients, Instant now, Limits limits);

  /** Distinct clients {@code agent} read within {@code window} before {@code now}. */
  CompletionStage<Integer> distinctClientsRead(String agent, Instant now, Duration window);

  /**
   * Limits for one call; 0 for {@code perHour} means no hourly limit.
   *
   * @param perHour most distinct clients in a rolling hour (0 = unlimited)
   * @param perDay most distinct clients in a rolling 24 hours
   */
  record Limits(int perHour, int perDay) {
    public Limits {
      if (perHour < 0 || perDay < 1) {
        throw new IllegalArgumentException("limits: perHour >= 0 and perDay >= 1 required");
      }
    }
  }
}
