package io.airlock.gateway.store;

import static io.airlock.gateway.store.Requests.approvedBy;
import static io.airlock.gateway.store.Requests.deniedBy;
import static io.airlock.gateway.store.Requests.oneApproval;
import static io.airlock.gateway.store.Requests.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.policy.port.AccessRequestStore;
import io.airlock.policy.request.AccessRequest;
import io.airlock.policy.request.RequestState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AccessRequestStore} promises, run against each implementation. A subclass
 * hands out an empty store per test.
 */
abstract class AccessRequestStoreContract {
  /** What subclasses give their store: the default grants.leeway (30 s) plus the clock margin. */
  static final Duration AFTER_EXPIRY = io.airlock.policy.config.GrantsConfig.revocableAfterExpiry(Duration.ofSeconds(30));

  protected AccessRequestStore store;
  // grants must outlive the wall clock the stores check expiry against
  protected final Instant now = Instant.now();
  private ExecutorService pool;

  protected abstract AccessRequestStore newStore() throws Exception;

  @BeforeEach
  void freshStore() throws Exception {
    store = newStore();
    pool = Executors.newFixedThreadPool(8);
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  private AccessRequest created(String id, String requester, Instant at) throws Exception {
    AccessRequest r = pending(id, requester, at);
    await(store.create(r));
    return r;
  }

  private static List<String> ids(List<AccessRequest> rs) {
    return rs.stream().map(AccessRequest::id).toList();
  }

  @Test
  void aCreatedRequestReadsBackWithEveryFieldExact() throws Exception {
    AccessRequest full = Requests.everyFieldSet("req-full", now);
    await(store.create(full));

    assertThat(await(store.get("req-full"))).contains(full);
    AccessRequest plain = created("req-plain", "bob", now);
    assertThat(await(store.get("req-plain"))).contains(plain);
  }

  @Test
  void anUnknownIdIsEmpty() throws Exception {
    assertThat(await(store.get("req-nope"))).isEmpty();
    assertThat(await(store.byGrant("jti-nope"))).isEmpty();
  }

  @Test
  void creatingAnExistingIdFailsAndKeepsTheFirst() throws Exception {
    AccessRequest first = created("req-1", "alice", now);
    AccessRequest impostor = pending("req-1", "mallory", now.minusSeconds(60));

    assertThatThrownBy(() -> await(store.create(impostor)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("req-1");
    assertThat(await(store.get("req-1"))).contains(first);
    assertThat(ids(await(store.pending()))).containsExactly("req-1");
    assertThat(await(store.byRequester("mallory", 10))).isEmpty();
    assertThat(await(store.pending()).get(0).createdAt()).isEqualTo(now);
  }

  @Test
  void aNewRequestMustBeVersionZero() throws Exception {
    AccessRequest r = oneApproval(pending("req-v", "alice", now), "maria");
    assertThatThrownBy(() -> await(store.create(r))).isInstanceOf(IllegalArgumentException.class);
    assertThat(await(store.get("req-v"))).isEmpty();
  }

  @Test
  void compareAndSetWritesWhenTheVersionMatches() throws Exception {
    AccessRequest r = created("req-1", "alice", now);
    AccessRequest next = deniedBy(r, "maria", "wrong ticket");

    assertThat(await(store.compareAndSet(0, next))).isTrue();
    assertThat(await(store.get("req-1"))).contains(next);
    assertThat(await(store.get("req-1")).get().version()).isEqualTo(1);
  }

  @Test
  void aStaleVersionFailsAndLeavesTheRecordUnchanged() throws Exception {
    AccessRequest r = created("req-1", "alice", now);
    AccessRequest v1 = oneApproval(r, "maria");
    assertThat(await(store.compareAndSet(0, v1))).isTrue();

    AccessRequest staleDeny = deniedBy(r, "omar", "stale view");
    assertThat(await(store.compareAndSet(0, staleDeny))).isFalse();
    assertThat(await(store.get("req-1"))).contains(v1);
    assertThat(ids(await(store.pending()))).containsExactly("req-1");
  }

  @Test
  void aSwapOfAnUnknownRequestIsFalseAndCreatesNothing() throws Exception {
    AccessRequest ghost = deniedBy(pending("req-ghost", "alice", now), "maria", "x");
    assertThat(await(store.compareAndSet(0, ghost))).isFalse();
    assertThat(await(store.get("req-ghost"))).isEmpty();
  }

  @Test
  void theNextVersionMustBeOneHigher() throws Exception {
    AccessRequest r = created("req-1", "alice", now);
    AccessRequest jump = oneApproval(oneApproval(r, "maria"), "omar");

    assertThatThrownBy(() -> await(store.compareAndSet(0, jump)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(await(store.get("req-1"))).contains(r);
  }

  @Test
  void fiftyConcurrentSwapsFromOneVersionHaveExactlyOneWinner() throws Exception {
    AccessRequest r = created("req-race", "alice", now);
    Instant exp = now.plus(Duration.ofMinutes(15));
    List<AccessRequest> attempts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      attempts.add(approvedBy(r, "manager-" + i, "jti-" + i, exp.plusMillis(i)));
    }

    List<Boolean> results = race(attempts.stream().map(a -> (Attempt) () -> store.compareAndSet(0, a)).toList());

    assertThat(results.stream().filter(b -> b).count()).isEqualTo(1);
    AccessRequest winner = attempts.get(results.indexOf(true));
    assertThat(await(store.get("req-race"))).contains(winner);
    // the losers' grants never show up, however their index writes interleaved
    assertThat(ids(await(store.activeGrants(now)))).containsExactly("req-race");
    assertThat(await(store.activeGrants(now)).get(0).grant().get().jti()).isEqualTo(winner.grant().get().jti());
    for (AccessRequest a : attempts) {
      String jti = a.grant().get().jti();
      assertThat(await(store.byGrant(jti)).isPresent()).as(jti).isEqualTo(a == winner);
    }
    assertThat(await(store.pending())).isEmpty();
  }

  @Test
  void approveRacingDenyEndsInExactlyOneOutcome() throws Exception {
    AccessRequest r = created("req-duel", "alice", now);
    List<AccessRequest> attempts = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      attempts.add(approvedBy(r, "maria-" + i, "jti-duel-" + i, now.plus(Duration.ofMinutes(10))));
      attempts.add(deniedBy(r, "omar-" + i, "no ticket"));
    }

    List<Boolean> results = race(attempts.stream().map(a -> (Attempt) () -> store.compareAndSet(0, a)).toList());

    assertThat(results.stream().filter(b -> b).count()).isEqualTo(1);
    AccessRequest winner = attempts.get(results.indexOf(true));
    AccessRequest stored = await(store.get("req-duel")).orElseThrow();
    assertThat(stored).isEqualTo(winner);
    assertThat(await(store.pending())).isEmpty();
    if (stored.state() == RequestState.DENIED) {
      assertThat(await(store.activeGrants(now))).isEmpty();
    } else {
      assertThat(ids(await(store.activeGrants(now)))).containsExactly("req-duel");
    }
  }

  @Test
  void pendingListsOnlyUndecidedRequestsOldestFirst() throws Exception {
    AccessRequest b = created("req-b", "alice", now.minusSeconds(20));
    created("req-c", "bob", now.minusSeconds(10));
    AccessRequest a = created("req-a", "alice", now.minusSeconds(30));
    created("req-d", "alice", now.minusSeconds(10));

    assertThat(ids(await(store.pending()))).containsExactly("req-a", "req-b", "req-c", "req-d");

    assertThat(await(store.compareAndSet(0, deniedBy(b, "maria", "no")))).isTrue();
    assertThat(await(store.compareAndSet(0, oneApproval(a, "maria")))).isTrue();
    assertThat(ids(await(store.pending()))).containsExactly("req-a", "req-c", "req-d");
    assertThat(await(store.pending()).get(0).version()).isEqualTo(1);
  }

  @Test
  void byRequesterGivesTheirOwnNewestFirstUpToTheLimit() throws Exception {
    created("req-1", "alice", now.minusSeconds(30));
    AccessRequest two = created("req-2", "alice", now.minusSeconds(20));
    created("req-3", "bob", now.minusSeconds(15));
    created("req-4", "alice", now.minusSeconds(10));
    await(store.compareAndSet(0, deniedBy(two, "maria", "no")));

    assertThat(ids(await(store.byRequester("alice", 10)))).containsExactly("req-4", "req-2", "req-1");
    assertThat(ids(await(store.byRequester("alice", 2)))).containsExactly("req-4", "req-2");
    assertThat(await(store.byRequester("alice", 2)).get(1).state()).isEqualTo(RequestState.DENIED);
    assertThat(ids(await(store.byRequester("bob", 10)))).containsExactly("req-3");
    assertThat(await(store.byRequester("nobody", 10))).isEmpty();
    assertThat(await(store.byRequester("alice", 0))).isEmpty();
  }

  @Test
  void recentGivesEveryStateNewestFirstUpToTheLimit() throws Exception {
    AccessRequest one = created("req-1", "alice", now.minusSeconds(30));
    created("req-2", "bob", now.minusSeconds(20));
    created("req-3", "carol", now.minusSeconds(10));
    await(store.compareAndSet(0, approvedBy(one, "maria", "jti-1", now.plus(Duration.ofMinutes(5)))));

    assertThat(ids(await(store.recent(10)))).containsExactly("req-3", "req-2", "req-1");
    assertThat(ids(await(store.recent(2)))).containsExactly("req-3", "req-2");
    assertThat(await(store.recent(10)).get(2).state()).isEqualTo(RequestState.APPROVED);
  }

  @Test
  void activeGrantsAreApprovedUnexpiredAndSoonestFirst() throws Exception {
    AccessRequest a = created("req-a", "alice", now.minusSeconds(40));
    AccessRequest b = created("req-b", "bob", now.minusSeconds(30));
    AccessRequest c = created("req-c", "carol", now.minusSeconds(20));
    created("req-d", "dave", now.minusSeconds(10));
    await(store.compareAndSet(0, approvedBy(a, "maria", "jti-a", now.plus(Duration.ofMinutes(20)))));
    await(store.compareAndSet(0, approvedBy(b, "maria", "jti-b", now.plus(Duration.ofMinutes(10)))));
    await(store.compareAndSet(0, approvedBy(c, "maria", "jti-c", now.minus(Duration.ofMinutes(1)))));

    assertThat(ids(await(store.activeGrants(now)))).containsExactly("req-b", "req-a");
    assertThat(ids(await(store.activeGrants(now.plus(Duration.ofMinutes(15)))))).containsExactly("req-a");
    // asking about the future must not forget what is still live now
    assertThat(ids(await(store.activeGrants(now)))).containsExactly("req-b", "req-a");
  }

  @Test
  void byGrantFindsTheApprovingRequestWhileSomeNodeMightStillAcceptTheGrant() throws Exception {
    AccessRequest a = created("req-a", "alice", now);
    AccessRequest b = created("req-b", "bob", now);
    AccessRequest c = created("req-c", "carol", now);
    AccessRequest approved = approvedBy(a, "maria", "jti-live", now.plus(Duration.ofMinutes(15)));
    await(store.compareAndSet(0, approved));
    // past exp but inside the verifier's leeway: still served, so it must still be revocable
    AccessRequest justExpired = approvedBy(b, "maria", "jti-leeway", now.minusSeconds(5));
    await(store.compareAndSet(0, justExpired));
    await(store.compareAndSet(0, approvedBy(c, "maria", "jti-gone", now.minus(AFTER_EXPIRY).minusSeconds(60))));

    assertThat(await(store.byGrant("jti-live"))).contains(approved);
    assertThat(await(store.byGrant("jti-leeway"))).contains(justExpired);
    // listing active grants and finding one to revoke are different questions
    assertThat(await(store.activeGrants(now))).containsExactly(approved);
    assertThat(await(store.byGrant("jti-leeway"))).as("still found after activeGrants pruned").contains(justExpired);
    assertThat(await(store.byGrant("jti-gone"))).isEmpty();
    assertThat(await(store.byGrant("jti-other"))).isEmpty();
  }

  @Test
  void aRequestNeedingTwoApprovalsMovesThroughEveryIndex() throws Exception {
    AccessRequest r = Requests.requiring(pending("req-2of2", "alice", now), 2);
    await(store.create(r));
    AccessRequest v1 = oneApproval(r, "maria");
    assertThat(await(store.compareAndSet(0, v1))).isTrue();
    assertThat(await(store.pending())).containsExactly(v1);
    assertThat(await(store.activeGrants(now))).isEmpty();

    AccessRequest v2 = approvedBy(v1, "sam", "jti-2of2", now.plus(Duration.ofMinutes(15)));
    assertThat(await(store.compareAndSet(1, v2))).isTrue();
    assertThat(await(store.pending())).isEmpty();
    assertThat(await(store.activeGrants(now))).containsExactly(v2);
    assertThat(await(store.byGrant("jti-2of2"))).contains(v2);
    assertThat(await(store.byRequester("alice", 5))).containsExactly(v2);
    assertThat(await(store.get("req-2of2")).get().approvals()).isEqualTo(2);
  }

  interface Attempt {
    CompletionStage<Boolean> run();
  }

  /** Starts every attempt at once from several threads and collects the answers in order. */
  private List<Boolean> race(List<Attempt> attempts) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (Attempt a : attempts) {
      answers.add(
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      throw new IllegalStateException(e);
                    }
                    return a.run();
                  },
                  pool)
              .thenCompose(s -> s));
    }
    go.countDown();
    List<Boolean> out = new ArrayList<>();
    for (var f : answers) {
      out.add(await(f));
    }
    return out;
  }
}
