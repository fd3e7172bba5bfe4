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
  /** The oldest record examined, when it was skipped unparsed: its {@code ts} is read only if the scan ends there. */
  private String oldestSkipped;
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
   * Examines the next older record, given as stored. A record the query's {@code mayMatch}
   * rules out is counted without being parsed, unless the query has a {@code since}: then every
   * record's {@code ts} decides where the search stops.
   *
   * @return false when the scan is over (enough matches, past {@code since}, or the cap)
   */
  public boolean offer(String recordJson) {
    if (stopBefore.isPresent() || query.mayMatch().test(recordJson)) {
      return offer(new JsonObject(recordJson));
    }
    scanned++;
    oldestSkipped = recordJson;
    return !reachedCap();
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
    oldestSkipped = null;
    if (ts != null) {
      oldestTs = record.getString("ts");
    }
    if (matches(record, ts)) {
      matches.add(record);
      if (matches.size() >= query.limit()) {
        return false;
      }
    }
    return !reachedCap();
  }

  private boolean reachedCap() {
    capReached = scanned >= cap;
    return capReached;
  }

  /** The answer so far; complete unless the cap ended the scan. */
  public AuditFeed.Answer answer() {
    return new AuditFeed.Answer(List.copyOf(matches), !capReached, scanned, Optional.ofNullable(searchedBackTo()));
  }

  /**
   * If the oldest record examined was skipped unparsed and has no usable {@code ts}, this names
   * the newest parsed one before it: an answer may understate how far back it searched, never
   * overstate it.
   */
  private String searchedBackTo() {
    if (oldestSkipped != null) {
      JsonObject skipped = new JsonObject(oldestSkipped);
      if (timestamp(skipped) != null) {
        return skipped.getString("ts");
      }
    }
    return oldestTs;
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
