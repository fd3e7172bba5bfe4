package io.airlock.gateway.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@link AuditFeed} answer being collected, newest record first. The rules for when to stop
 * and whether the answer is complete live here only, so that every feed gives the same answer.
 * Not thread-safe: one scan, one caller at a time.
 */
public final class AuditScan {
  private final AuditFeed.Query query;
  private final long cap;
  private final Optional<Instant> stopBefore;
  private final List<JsonObject> matches = new ArrayList<>();
  private long scanned;
  private String oldestTs;
  private boolean capReached;

  /** @param cap how many records to examine at most ({@link AuditFeed#SCAN_CAP} outside tests) */
  public AuditScan(AuditFeed.Query query, long cap) {
    if (cap < 1) {
      throw new IllegalArgumentException("scan cap must be >= 1: " + cap);
    }
    this.query = query;
    this.cap = cap;
    this.stopBefore = query.since().map(s -> s.minus(AuditFeed.CLOCK_SKEW));
  }

  /** How many more records this scan may examine: what the next read should fetch at most. */
  public long budget() {
    return cap - scanned;
  }

  /**
   * Examines the next older record.
   *
   * @return false when the scan is over (enough matches, past {@code since}, or the cap)
   */
  public boolean offer(JsonObject record) {
    Instant ts = timestamp(record);
    if (ts != null && stopBefore.isPresent() && ts.isBefore(stopBefore.get())) {
      return false; // everything further back is older still
    }
    scanned++;
    if (ts != null) {
      oldestTs = record.getString("ts");
    }
    if (matches(record, ts)) {
      matches.add(record);
      if (matches.size() >= query.limit()) {
        return false;
      }
    }
    if (scanned >= cap) {
      capReached = true;
      return false;
    }
    return true;
  }

  /** The answer so far; complete unless the cap ended the scan. */
  public AuditFeed.Answer answer() {
    return new AuditFeed.Answer(List.copyOf(matches), !capReached, scanned, Optional.ofNullable(oldestTs));
  }

  private boolean matches(JsonObject record, Instant ts) {
    if (query.since().isPresent() && (ts == null || ts.isBefore(query.since().get()))) {
      return false;
    }
    return query.filter().test(record);
  }

  private static Instant timestamp(JsonObject record) {
    Object ts = record.getValue("ts");
    if (!(ts instanceof String s)) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
