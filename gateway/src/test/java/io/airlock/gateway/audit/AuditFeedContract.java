package io.airlock.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  /** Holds searches open inside their filter, on whatever thread the feed parses on. */
  protected static final class HeldSearches implements AutoCloseable {
    final CountDownLatch entered;
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<CompletableFuture<AuditFeed.Answer>> answers = new java.util.ArrayList<>();

    HeldSearches(AuditFeed feed, int n) throws InterruptedException {
      entered = new CountDownLatch(n);
      for (int i = 0; i < n; i++) {
        boolean[] first = {true};
        Predicate<JsonObject> held = r -> {
          if (first[0]) {
            first[0] = false;
            threads.add(Thread.currentThread().getName());
            entered.countDown();
            await(release);
          }
          return true;
        };
        answers.add(feed.recent(new AuditFeed.Query(1, held, Optional.empty())).toCompletableFuture());
      }
      if (!entered.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the held searches did not start within 30 s");
      }
    }

    private static void await(CountDownLatch latch) {
      try {
        latch.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      release.countDown();
    }
  }

  @Test
  void searchesRunOffTheCallersThreadAndAThirdAtOnceIsRefusedUntilOneEnds() throws Exception {
    AuditFeed feed = newFeed(AuditFeed.SCAN_CAP);
    reads(feed, 10, T0);
    awaitMirrored(feed, written);

    try (HeldSearches held = new HeldSearches(feed, AuditSearches.IN_FLIGHT)) {
      assertThat(held.threads).allMatch(t -> t.startsWith("airlock-audit-search-"), "parsed on the feed's own pool");

      assertThatThrownBy(() -> feed.recent(new AuditFeed.Query(5, r -> true, Optional.empty())).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(AuditSearches.Busy.class)
          .hasMessageContaining("another audit search is running on this node; try again in a moment");

      held.close();
      for (CompletableFuture<AuditFeed.Answer> a : held.answers) {
        assertThat(a.get(30, TimeUnit.SECONDS).records()).hasSize(1);
      }
    }
    assertThat(ask(feed, 5, "access", Optional.empty()).records()).as("the slots are free again").hasSize(5);
  }

  @Test
  void theRawTextShortcutSkipsParsingButGivesTheSameAnswer() throws Exception {
    AuditFeed feed = newFeed(1_000);
    one(feed, T0, "security.alert");
    reads(feed, 1_500, T0.plusSeconds(1));
    one(feed, T0.plusSeconds(5), "security.alert");
    awaitMirrored(feed, written);

    AtomicInteger parsed = new AtomicInteger();
    Predicate<JsonObject> alerts = r -> {
      parsed.incrementAndGet();
      return "security.alert".equals(r.getString("type"));
    };
    AuditFeed.Answer a = feed.recent(new AuditFeed.Query(50, alerts, Optional.empty(), raw -> raw.contains("security.alert")))
        .toCompletableFuture().get(60, TimeUnit.SECONDS);

    assertThat(types(a)).containsExactly("security.alert");
    assertThat(parsed).as("only the newer alert reached the filter").hasValue(1);
    assertThat(a.complete()).isFalse();
    assertThat(a.scanned()).isEqualTo(1_000);
    assertThat(a.searchedBackTo()).as("read from the skipped record the scan ended on")
        .contains(T0.plusSeconds(1).plusMillis(501).toString());
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
