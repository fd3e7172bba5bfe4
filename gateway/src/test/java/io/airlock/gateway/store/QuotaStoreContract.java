package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.port.QuotaDecision;
import io.airlock.policy.port.QuotaDecision.Outcome;
import io.airlock.policy.port.QuotaStore;
import io.airlock.policy.port.QuotaStore.Limits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link QuotaStore} promises, run against each implementation: exact distinct counts
 * in a rolling hour and day, atomic check-and-record, nothing recorded when refused.
 */
abstract class QuotaStoreContract {
  static final Limits LIMITS = new Limits(3, 5);
  protected QuotaStore store;
  protected final Instant t0 = Instant.parse("2026-11-02T10:00:00Z");

  /** An empty store; {@link #sameState()} must then give a second view of the same state. */
  protected abstract QuotaStore newStore() throws Exception;

  /** Another instance over the same state (another node), or the same one when in process. */
  protected abstract QuotaStore sameState() throws Exception;

  @BeforeEach
  void fresh() throws Exception {
    store = newStore();
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  private QuotaDecision read(String client, Instant at) throws Exception {
    return await(store.recordRead("alice", client, at, LIMITS));
  }

  @Test
  void aClientReadAgainWithinTheHourIsFree() throws Exception {
    assertThat(read("c-1", t0)).isEqualTo(new QuotaDecision(Outcome.COUNTED, 1, 1));
    assertThat(read("c-1", t0.plusSeconds(60))).isEqualTo(new QuotaDecision(Outcome.ALREADY_COUNTED, 1, 1));
    assertThat(await(store.distinctClientsRead("alice", t0.plusSeconds(60), QuotaStore.DAY))).isEqualTo(1);
  }

  @Test
  void theHourlyLimitStopsTheNextNewClientExactlyAndRecordsNothingWhenRefused() throws Exception {
    for (int i = 1; i <= 3; i++) {
      assertThat(read("c-" + i, t0.plusSeconds(i)).allowed()).isTrue();
    }
    QuotaDecision fourth = read("c-4", t0.plusSeconds(4));
    assertThat(fourth).isEqualTo(new QuotaDecision(Outcome.OVER_HOURLY_LIMIT, 3, 3));
    assertThat(read("c-4", t0.plusSeconds(5)).outcome()).as("refused, so still not counted").isEqualTo(Outcome.OVER_HOURLY_LIMIT);
    assertThat(read("c-2", t0.plusSeconds(6)).outcome()).as("a client already read stays readable").isEqualTo(Outcome.ALREADY_COUNTED);
    assertThat(await(store.distinctClientsRead("alice", t0.plusSeconds(6), QuotaStore.DAY))).isEqualTo(3);
    assertThat(await(store.recordRead("bob", "c-4", t0, LIMITS)).outcome()).as("agents are counted apart").isEqualTo(Outcome.COUNTED);
  }

  @Test
  void theHourRollsButTheDayRemembers() throws Exception {
    for (int i = 1; i <= 3; i++) {
      read("c-" + i, t0);
    }
    Instant later = t0.plus(Duration.ofMinutes(61));
    // c-1 left the hour window: reading it again counts for the hour, not for the day
    assertThat(read("c-1", later)).isEqualTo(new QuotaDecision(Outcome.COUNTED, 1, 3));
    assertThat(read("c-4", later)).isEqualTo(new QuotaDecision(Outcome.COUNTED, 2, 4));
    assertThat(read("c-5", later)).isEqualTo(new QuotaDecision(Outcome.COUNTED, 3, 5));
    Instant evenLater = later.plus(Duration.ofMinutes(61));
    assertThat(read("c-6", evenLater)).isEqualTo(new QuotaDecision(Outcome.OVER_DAILY_LIMIT, 0, 5));
    assertThat(read("c-2", evenLater)).as("old clients still count for the hour").isEqualTo(new QuotaDecision(Outcome.COUNTED, 1, 5));
    Instant nextDay = t0.plus(Duration.ofHours(24)).plusSeconds(1);
    // of the clients first read at t0, only c-3 was not read since: it alone has left the day
    assertThat(read("c-6", nextDay)).isEqualTo(new QuotaDecision(Outcome.COUNTED, 1, 5));
  }

  @Test
  void racingReadsOfNewClientsGetExactlyTheLimitEvenAcrossNodes() throws Exception {
    QuotaStore other = sameState();
    Limits limits = new Limits(20, 60);
    List<CompletableFuture<QuotaDecision>> all = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      QuotaStore s = i % 2 == 0 ? store : other;
      String client = "c-" + i;
      all.add(CompletableFuture.supplyAsync(() -> s.recordRead("alice", client, t0, limits)).thenCompose(x -> x).toCompletableFuture());
    }
    long allowed = 0;
    for (CompletableFuture<QuotaDecision> f : all) {
      if (f.get(10, TimeUnit.SECONDS).allowed()) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(20);
    assertThat(await(other.distinctClientsRead("alice", t0, QuotaStore.HOUR))).isEqualTo(20);
  }

  @Test
  void clientsNamedInARequestAreRecordedAllOrNothing() throws Exception {
    Limits perDay = new Limits(0, 5);
    assertThat(await(store.recordRequested("alice", List.of("c-1", "c-2", "c-3"), t0, perDay)))
        .isEqualTo(new QuotaDecision(Outcome.COUNTED, 3, 3));
    assertThat(await(store.recordRequested("alice", List.of("c-3", "c-4", "c-5", "c-6"), t0.plusSeconds(1), perDay)).outcome())
        .isEqualTo(Outcome.OVER_DAILY_LIMIT);
    assertThat(await(store.recordRequested("alice", List.of("c-3", "c-4", "c-5"), t0.plusSeconds(2), perDay)))
        .as("the refused request recorded none of its clients").isEqualTo(new QuotaDecision(Outcome.COUNTED, 5, 5));
    assertThat(await(store.distinctClientsRead("alice", t0, QuotaStore.DAY))).as("requests are not reads").isZero();
  }
}
