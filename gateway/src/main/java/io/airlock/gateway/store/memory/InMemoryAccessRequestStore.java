package io.airlock.gateway.store.memory;

import io.airlock.gateway.store.StoreOrder;
import io.airlock.policy.port.AccessRequestStore;
import io.airlock.policy.request.AccessRequest;
import io.airlock.policy.request.IssuedGrantRecord;
import io.airlock.policy.request.RequestState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

/**
 * The single-node store: everything in this process, lost on restart. Same semantics as the
 * Redis store (see {@code RedisKeys} for the index discipline): the record map is the truth and
 * its compare-and-swap is {@link ConcurrentHashMap#compute}; indexes may briefly hold extra
 * entries, which every read filters against the record. Nothing here waits on anything but a
 * map bin, so every answer is an already-completed stage.
 */
public final class InMemoryAccessRequestStore implements AccessRequestStore {
  /** An index entry: ordered by time, then id (or jti) so equal instants stay distinct. */
  private record Slot(Instant at, String id) {}

  private record GrantRef(String requestId, Instant expiresAt) {}

  private static final Comparator<Slot> ORDER =
      Comparator.comparing(Slot::at).thenComparing(Slot::id);

  private final Clock clock;
  private final Duration revocableAfterExpiry;
  private final ConcurrentHashMap<String, AccessRequest> records = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<Slot> pending = new ConcurrentSkipListSet<>(ORDER);
  private final ConcurrentSkipListSet<Slot> recent = new ConcurrentSkipListSet<>(ORDER);
  private final ConcurrentHashMap<String, ConcurrentSkipListSet<Slot>> byRequester =
      new ConcurrentHashMap<>();
  // slot id = jti, at = grant expiry
  private final ConcurrentSkipListSet<Slot> activeGrants = new ConcurrentSkipListSet<>(ORDER);
  private final ConcurrentHashMap<String, GrantRef> grants = new ConcurrentHashMap<>();

  /** @param revocableAfterExpiry how long past its exp {@link #byGrant} still finds a grant ({@code GrantsConfig}) */
  public InMemoryAccessRequestStore(Clock clock, Duration revocableAfterExpiry) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.revocableAfterExpiry = Objects.requireNonNull(revocableAfterExpiry, "revocableAfterExpiry");
  }

  @Override
  public CompletionStage<Void> create(AccessRequest request) {
    if (request.version() != 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("a new access request has version 0, not " + request.version()));
    }
    if (records.putIfAbsent(request.id(), request) != null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("access request " + request.id() + " already exists"));
    }
    Slot slot = new Slot(request.createdAt(), request.id());
    recent.add(slot);
    byRequester
        .computeIfAbsent(request.requester(), k -> new ConcurrentSkipListSet<>(ORDER))
        .add(slot);
    if (request.state() == RequestState.PENDING) {
      pending.add(slot);
    }
    request.grant().ifPresent(g -> indexGrant(request.id(), g));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Optional<AccessRequest>> get(String id) {
    return CompletableFuture.completedFuture(Optional.ofNullable(records.get(id)));
  }

  @Override
  public CompletionStage<Boolean> compareAndSet(long expectedVersion, AccessRequest next) {
    if (next.version() != expectedVersion + 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "next version must be " + (expectedVersion + 1) + ", not " + next.version()));
    }
    // added before the swap: a reader never misses the grant; a loser's entry names a jti no
    // record carries, so reads skip it and the expiry prune drops it
    next.grant().ifPresent(g -> indexGrant(next.id(), g));
    boolean[] won = {false};
    records.computeIfPresent(
        next.id(),
        (id, current) -> {
          if (current.version() != expectedVersion) {
            return current;
          }
          won[0] = true;
          return next;
        });
    if (won[0] && next.state() != RequestState.PENDING) {
      pending.remove(new Slot(next.createdAt(), next.id()));
    }
    return CompletableFuture.completedFuture(won[0]);
  }

  @Override
  public CompletionStage<List<AccessRequest>> pending() {
    List<AccessRequest> out = new ArrayList<>();
    for (Slot s : pending) {
      AccessRequest r = records.get(s.id());
      if (r != null && r.state() == RequestState.PENDING) {
        out.add(r);
      }
    }
    out.sort(StoreOrder.OLDEST_FIRST);
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public CompletionStage<List<AccessRequest>> byRequester(String requester, int limit) {
    var slots = byRequester.get(requester);
    if (slots == null || limit <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    return CompletableFuture.completedFuture(newest(slots, limit, r -> r.requester().equals(requester)));
  }

  @Override
  public CompletionStage<List<AccessRequest>> recent(int limit) {
    if (limit <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    return CompletableFuture.completedFuture(newest(recent, limit, r -> true));
  }

  private List<AccessRequest> newest(
      ConcurrentSkipListSet<Slot> slots, int limit, Predicate<AccessRequest> keep) {
    List<AccessRequest> out = new ArrayList<>();
    for (Slot s : slots.descendingSet()) {
      AccessRequest r = records.get(s.id());
      if (r != null && keep.test(r)) {
        out.add(r);
        if (out.size() == limit) {
          break;
        }
      }
    }
    return out;
  }

  @Override
  public CompletionStage<List<AccessRequest>> activeGrants(Instant now) {
    pruneExpiredGrants(now);
    List<AccessRequest> out = new ArrayList<>();
    for (Slot s : activeGrants.tailSet(new Slot(now, ""), true)) {
      GrantRef ref = grants.get(s.id());
      AccessRequest r = ref == null ? null : records.get(ref.requestId());
      if (r != null && issued(r, s.id()) && r.grant().get().expiresAt().isAfter(now)) {
        out.add(r);
      }
    }
    out.sort(StoreOrder.SOONEST_EXPIRY_FIRST);
    return CompletableFuture.completedFuture(out);
  }

  /** Found until exp + revocableAfterExpiry: a grant some node still accepts must stay revocable. */
  @Override
  public CompletionStage<Optional<AccessRequest>> byGrant(String jti) {
    GrantRef ref = grants.get(jti);
    AccessRequest r = ref == null ? null : records.get(ref.requestId());
    if (r == null || !issued(r, jti) || !r.grant().get().expiresAt().plus(revocableAfterExpiry).isAfter(clock.instant())) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return CompletableFuture.completedFuture(Optional.of(r));
  }

  private void indexGrant(String requestId, IssuedGrantRecord g) {
    grants.put(g.jti(), new GrantRef(requestId, g.expiresAt()));
    activeGrants.add(new Slot(g.expiresAt(), g.jti()));
  }

  /** The record is approved and its grant is {@code jti} (not a lost race's grant). */
  static boolean issued(AccessRequest r, String jti) {
    return r.state() == RequestState.APPROVED && r.grant().get().jti().equals(jti);
  }

  // only entries expired both for the caller and for the clock: a caller asking about an
  // instant in the future must not erase grants that are still live now; and only once byGrant
  // no longer needs them
  private void pruneExpiredGrants(Instant now) {
    Instant wall = clock.instant();
    Instant cutoff = (now.isBefore(wall) ? now : wall).minus(revocableAfterExpiry);
    var expired = activeGrants.headSet(new Slot(cutoff, ""), false);
    for (Slot s : expired) {
      activeGrants.remove(s);
      grants.computeIfPresent(s.id(), (jti, ref) -> ref.expiresAt().isBefore(cutoff) ? null : ref);
    }
  }
}
