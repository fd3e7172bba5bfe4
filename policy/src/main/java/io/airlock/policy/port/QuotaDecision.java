package io.airlock.policy.port;

/**
 * What a {@link QuotaStore} record call decided, with the agent's counts after it (before it,
 * when refused).
 */
public record QuotaDecision(Outcome outcome, int clientsLastHour, int clientsLastDay) {
  public enum Outcome {
    /** every client was already counted within the hour: free */
    ALREADY_COUNTED,
    /** at least one new client, within both limits: recorded */
    COUNTED,
    /** refused: the hourly limit would be passed; nothing recorded */
    OVER_HOURLY_LIMIT,
    /** refused: the daily limit would be passed; nothing recorded */
    OVER_DAILY_LIMIT
  }

  public boolean allowed() {
    return outcome == Outcome.ALREADY_COUNTED || outcome == Outcome.COUNTED;
  }
}
