package io.airlock.policy.request;

import io.airlock.policy.mask.FieldClass;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;

/**
 * What an approver sees beside the approve button: how this agent's request compares with what
 * they usually do. Signals, not a verdict: nothing here refuses anything.
 *
 * @param distinctClients24h distinct clients the agent read through the data plane in 24 h
 * @param requestsToday requests the agent made since midnight UTC (this one included)
 * @param deniedThisWeek of the agent's requests in the last 7 days, how many were denied
 * @param outsideUsualHours the request was made at an hour of day (UTC) at which the agent made
 *     none of their earlier requests of the last 30 days; with fewer than {@link #MIN_HISTORY}
 *     earlier requests, outside weekdays 07:00-19:00 UTC
 * @param unmask the field classes the request asks to see in clear
 */
public record RiskSignals(
    int distinctClients24h, int requestsToday, int deniedThisWeek, boolean outsideUsualHours, Set<FieldClass> unmask) {

  /** Earlier requests needed before the agent's own hours are trusted as "usual". */
  public static final int MIN_HISTORY = 5;

  public RiskSignals {
    unmask = Set.copyOf(unmask);
  }

  /**
   * @param history the agent's requests, any order (may include {@code request} itself)
   * @param distinctClients24h from the quota store
   */
  public static RiskSignals of(AccessRequest request, List<AccessRequest> history, int distinctClients24h, Instant now) {
    Instant midnight = now.truncatedTo(ChronoUnit.DAYS);
    Instant weekAgo = now.minus(Duration.ofDays(7));
    Instant monthAgo = request.createdAt().minus(Duration.ofDays(30));
    int today = 0;
    int denied = 0;
    boolean[] hours = new boolean[24];
    int earlier = 0;
    for (AccessRequest r : history) {
      if (!r.requester().equals(request.requester())) {
        continue;
      }
      if (!r.createdAt().isBefore(midnight) && !r.createdAt().isAfter(now)) {
        today++;
      }
      if (r.state() == RequestState.DENIED && r.createdAt().isAfter(weekAgo)) {
        denied++;
      }
      if (!r.id().equals(request.id()) && r.createdAt().isBefore(request.createdAt()) && r.createdAt().isAfter(monthAgo)) {
        hours[r.createdAt().atZone(ZoneOffset.UTC).getHour()] = true;
        earlier++;
      }
    }
    ZonedDateTime at = request.createdAt().atZone(ZoneOffset.UTC);
    boolean outside;
    if (earlier >= MIN_HISTORY) {
      outside = !hours[at.getHour()];
    } else {
      boolean weekend = at.getDayOfWeek() == DayOfWeek.SATURDAY || at.getDayOfWeek() == DayOfWeek.SUNDAY;
      outside = weekend || at.getHour() < 7 || at.getHour() >= 19;
    }
    return new RiskSignals(distinctClients24h, today, denied, outside, request.unmask());
  }
}
