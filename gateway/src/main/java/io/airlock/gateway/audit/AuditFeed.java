package io.airlock.gateway.audit;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The live view of the audit trail for the UI and {@code GET /api/audit}: the newest durable
 * records of every node (Redis stream) or of this node (in-process ring). The files on disk stay
 * the record of truth; this is a window onto them.
 *
 * <p>Every implementation answers through one {@link AuditScan}, so both feeds give the same
 * answer for the same records: newest first, stopping at {@code limit} matches, at the end of the
 * feed, once records are older than {@code since}, or after {@link #SCAN_CAP} records, and only
 * then is the answer partial.
 */
public interface AuditFeed extends AuditMirror {
  /**
   * How many records one answer examines at most. A filter for a rare event ({@code
   * security.alert}) must not be blinded by a burst of common ones, so the scan goes back much
   * further than a page; this bounds what one request can cost (the default stream holds 100,000
   * records, all of which are searched). An answer that stops here says so ({@link Answer#complete}).
   */
  int SCAN_CAP = 200_000;

  /**
   * How far out of order by {@code ts} the feed may be: the nodes' clocks differ and their
   * records reach the shared stream in arrival order. A scan with {@code since} stops only at a
   * record this much older than {@code since}.
   */
  Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** Newest first, at most {@code query.limit()} records, with how far back the search went. */
  CompletionStage<Answer> recent(Query query);

  /**
   * @param limit how many matching records to return
   * @param filter what a record must satisfy besides {@code since}
   * @param since when present, only records with a {@code ts} at or after it match
   * @param mayMatch a cheap test on a record's raw JSON that is false only for records {@code
   *     filter} would refuse (a type filter's literal missing from the text): such records are
   *     counted as examined without being parsed. Only a shortcut: {@code filter} stays the rule.
   */
  record Query(int limit, Predicate<JsonObject> filter, Optional<Instant> since, Predicate<String> mayMatch) {
    public Query {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be >= 1: " + limit);
      }
    }

    public Query(int limit, Predicate<JsonObject> filter, Optional<Instant> since) {
      this(limit, filter, since, raw -> true);
    }
  }

  /**
   * @param records the matches, newest first
   * @param complete false when the scan cap stopped the search: older records may match too
   * @param scanned how many records were examined
   * @param searchedBackTo the {@code ts} of the oldest record examined, if any
   */
  record Answer(List<JsonObject> records, boolean complete, long scanned, Optional<String> searchedBackTo) {}
}
