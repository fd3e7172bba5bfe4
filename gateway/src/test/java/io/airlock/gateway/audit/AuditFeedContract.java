package io.airlock.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuditFeed} promises, run against each implementation with the same records:
 * a rare record is found however many common ones came after it, and an answer that stopped
 * searching before it could rule out older matches says so. A subclass hands out an empty feed
 * per call.
 */
abstract class AuditFeedContract {
  private static final Instant T0 = Instant.parse("2026-11-26T09:00:00Z");

  /** An empty feed whose answers examine at most {@code scanCap} records. */
  protected abstract AuditFeed newFeed(long scanCap) throws Exception;

  /** Returns once the feed holds {@code count} mirrored records (a push may be asynchronous). */
  protected abstract void awaitMirrored(AuditFeed feed, long count) throws Exception;

  private long written;

  private static String record(long seq, Instant ts, String type, String agent) {
    return new JsonObject().put("seq", seq).put("ts", ts.toString()).put("node", "node-a").put("type", type)
        .put("agent", agent).put("client", "c-" + (1000 + seq % 9000)).encode();
  }

  /** Mirrors {@code n} reads by mallory, one millisecond apart from {@code from}. */
  private void reads(AuditFeed feed, int n, Instant from) {
    for (int i = 0; i < n; i++) {
      feed.mirror(record(++written, from.plusMillis(i), "access", "mallory"));
    }
  }

  private void one(AuditFeed feed, Instant ts, String type) {
    feed.mirror(record(++written, ts, type, "mallory"));
  }

  private AuditFeed.Answer ask(AuditFeed feed, int limit, String type, Optional<Instant> since) throws Exception {
    awaitMirrored(feed, written);
    Predicate<JsonObject> filter = r -> type == null || type.equals(r.getString("type"));
    return feed.recent(new AuditFeed.Query(limit, filter, since)).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static List<String> types(AuditFeed.Answer a) {
    return a.records().stream().map(r -> r.getString("type")).toList();
  }

  @Test
  void anOldAlertIsFoundBehindThousandsOfNewerReads() throws Exception {
    AuditFeed feed = newFeed(AuditFeed.SCAN_CAP);
    one(feed, T0, "security.alert");
    reads(feed, 5_000, T0.plusSeconds(1));

    AuditFeed.Answer alerts = ask(feed, 50, "security.alert", Optional.empty());

    assertThat(types(alerts)).containsExactly("security.alert");
    assertThat(alerts.records().get(0).getString("ts")).isEqualTo(T0.toString());
    assertThat(alerts.complete()).as("the whole feed was searched").isTrue();
    assertThat(alerts.scanned()).isEqualTo(5_001);
  }

  @Test
  void aSearchStoppedByTheScanCapSaysHowFarBackItLooked() throws Exception {
    AuditFeed feed = newFeed(1_000);
    one(feed, T0, "security.alert");
    reads(feed, 1_500, T0.plusSeconds(1));

    AuditFeed.Answer alerts = ask(feed, 50, "security.alert", Optional.empty());

    assertThat(alerts.records()).isEmpty();
    assertThat(alerts.complete()).as("1,501 records, 1,000 searched: the alert may be older").isFalse();
    assertThat(alerts.scanned()).isEqualTo(1_000);
    // the 1,000th newest of the reads at T0+1s+0ms .. +1499ms
    assertThat(alerts.searchedBackTo()).contains(T0.plusSeconds(1).plusMillis(500).toString());
  }

  @Test
  void enoughMatchesWithinTheCapIsACompleteAnswerNewestFirst() throws Exception {
    AuditFeed feed = newFeed(1_000);
    reads(feed, 5_000, T0);

    AuditFeed.Answer page = ask(feed, 3, "access", Optional.empty());

    assertThat(page.records()).extracting(r -> r.getLong("seq")).containsExactly(5_000L, 4_999L, 4_998L);
    assertThat(page.complete()).isTrue();
    assertThat(page.scanned()).isEqualTo(3);
  }

  @Test
  void sinceStopsTheSearchAtOlderRecordsSoTheCapIsNotReached() throws Exception {
    AuditFeed feed = newFeed(1_000);
    reads(feed, 1_500, T0);
    Instant since = T0.plus(Duration.ofHours(1));
    one(feed, since.minusSeconds(1), "security.alert");
    one(feed, since.plusSeconds(1), "security.alert");
    one(feed, since.plusSeconds(2), "access");

    AuditFeed.Answer alerts = ask(feed, 50, "security.alert", Optional.of(since));

    assertThat(alerts.records()).extracting(r -> r.getString("ts")).containsExactly(since.plusSeconds(1).toString());
    assertThat(alerts.complete()).as("everything at or after since was searched").isTrue();
    assertThat(alerts.scanned()).as("stopped at the first record well before since").isEqualTo(3);
  }

  @Test
  void anEmptyFeedIsACompleteEmptyAnswer() throws Exception {
    AuditFeed.Answer none = ask(newFeed(AuditFeed.SCAN_CAP), 50, null, Optional.empty());
    assertThat(none.records()).isEmpty();
    assertThat(none.complete()).isTrue();
    assertThat(none.searchedBackTo()).isEmpty();
  }
}
