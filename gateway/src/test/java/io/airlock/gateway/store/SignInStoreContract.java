package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.gateway.testing.RedisSupport;
import io.airlock.policy.port.SignInStore;
import io.airlock.policy.port.SignInStore.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SignInStore} promises, run against each implementation: a record is written
 * once (a second write of the same id is refused and changes nothing), read any number of times
 * until it is taken, taken exactly once even when nodes race for it, and gone after its TTL.
 */
abstract class SignInStoreContract {
  protected SignInStore store;

  /** An empty store; {@link #sameState()} must then give a second view of the same state. */
  protected abstract SignInStore newStore() throws Exception;

  /** Another instance over the same state (another node), or the same one when in process. */
  protected abstract SignInStore sameState() throws Exception;

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

  static final Duration MINUTE = Duration.ofMinutes(1);

  @Test
  void aRecordIsReadUntilTakenAndTakenOnce() throws Exception {
    assertThat(await(store.putNew(Kind.HANDOFF, "h-1", "{\"token\":\"t\"}", MINUTE))).isTrue();
    assertThat(await(store.peek(Kind.HANDOFF, "h-1"))).contains("{\"token\":\"t\"}");
    assertThat(await(store.peek(Kind.HANDOFF, "h-1"))).as("peeking leaves it").contains("{\"token\":\"t\"}");
    assertThat(await(store.take(Kind.HANDOFF, "h-1"))).contains("{\"token\":\"t\"}");
    assertThat(await(store.take(Kind.HANDOFF, "h-1"))).as("a replay finds nothing").isEmpty();
    assertThat(await(store.peek(Kind.HANDOFF, "h-1"))).isEmpty();
    assertThat(await(store.take(Kind.HANDOFF, "never-written"))).isEmpty();
  }

  @Test
  void aSecondWriteOfTheSameIdIsRefusedAndChangesNothing() throws Exception {
    assertThat(await(store.putNew(Kind.PENDING_SIGN_IN, "s-1", "first", MINUTE))).isTrue();
    assertThat(await(store.putNew(Kind.PENDING_SIGN_IN, "s-1", "second", Duration.ofHours(1)))).isFalse();
    assertThat(await(store.take(Kind.PENDING_SIGN_IN, "s-1"))).contains("first");
    // once taken, the id is free again (ids are random, so this only matters to the store)
    assertThat(await(store.putNew(Kind.PENDING_SIGN_IN, "s-1", "third", MINUTE))).isTrue();
  }

  @Test
  void theKindsAreKeptApart() throws Exception {
    await(store.putNew(Kind.PENDING_SIGN_IN, "same-id", "pending", MINUTE));
    assertThat(await(store.take(Kind.HANDOFF, "same-id"))).as("a state is not a hand-off").isEmpty();
    assertThat(await(store.putNew(Kind.HANDOFF, "same-id", "handoff", MINUTE))).isTrue();
    assertThat(await(store.take(Kind.PENDING_SIGN_IN, "same-id"))).contains("pending");
    assertThat(await(store.take(Kind.HANDOFF, "same-id"))).contains("handoff");
  }

  @Test
  void aRecordIsGoneAfterItsTtl() throws Exception {
    await(store.putNew(Kind.HANDOFF, "short", "v", Duration.ofMillis(200)));
    await(store.putNew(Kind.HANDOFF, "long", "v", MINUTE));
    Instant deadline = Instant.now().plusSeconds(10);
    while (await(store.peek(Kind.HANDOFF, "short")).isPresent()) {
      assertThat(Instant.now()).as("still held 10 s after a 200 ms TTL").isBefore(deadline);
      RedisSupport.pause();
    }
    assertThat(await(store.take(Kind.HANDOFF, "short"))).as("expired: cannot be taken either").isEmpty();
    assertThat(await(store.take(Kind.HANDOFF, "long"))).as("a longer TTL is untouched").contains("v");
  }

  @Test
  void aTtlThatIsNotPositiveIsRefused() {
    assertThatThrownBy(() -> await(store.putNew(Kind.HANDOFF, "x", "v", Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl");
  }

  @Test
  void ofManyTakesRacingAcrossNodesExactlyOneWins() throws Exception {
    SignInStore other = sameState();
    for (int round = 0; round < 20; round++) {
      String id = "race-" + round;
      await(store.putNew(Kind.PENDING_SIGN_IN, id, "value-" + round, MINUTE));
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Optional<String>>> takes = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        SignInStore s = i % 2 == 0 ? store : other;
        takes.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
          return s.take(Kind.PENDING_SIGN_IN, id);
        }).thenCompose(x -> x));
      }
      go.countDown();
      List<String> won = new ArrayList<>();
      for (CompletableFuture<Optional<String>> t : takes) {
        t.get(10, TimeUnit.SECONDS).ifPresent(won::add);
      }
      assertThat(won).as("round " + round).containsExactly("value-" + round);
    }
  }
}
