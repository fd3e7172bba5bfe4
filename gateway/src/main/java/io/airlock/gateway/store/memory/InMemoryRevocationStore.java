package io.airlock.gateway.store.memory;

import io.airlock.policy.port.RevocationStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Revocation state of a single node with no shared store. Same operations and semantics as the
 * Redis store; changes are delivered to subscribers synchronously, after the state changed.
 */
public final class InMemoryRevocationStore implements RevocationStore {
  private final Clock clock;
  private final Duration revocableAfterExpiry;
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
  private boolean initialized;
  private long version;
  private long epoch;
  private final Map<String, Instant> revoked = new HashMap<>();
  private final Set<String> suspended = new HashSet<>();
  private boolean lockdown;
  private final Map<String, NodeStatus> nodes = new HashMap<>();

  /** @param revocableAfterExpiry how long past its grant's exp a revoked id is kept ({@code GrantsConfig}) */
  public InMemoryRevocationStore(Clock clock, Duration revocableAfterExpiry) {
    this.clock = clock;
    this.revocableAfterExpiry = revocableAfterExpiry;
  }

  @Override
  public synchronized CompletionStage<State> load() {
    // not at exp: a node still accepts the grant until exp + leeway, on a clock that may lag ours
    Instant keepFrom = clock.instant().minus(revocableAfterExpiry);
    revoked.values().removeIf(until -> until.isBefore(keepFrom));
    return done(new State(initialized, version, epoch, revoked.keySet(), suspended, lockdown));
  }

  @Override
  public synchronized CompletionStage<Stamp> stamp() {
    return done(new Stamp(initialized, version, epoch));
  }

  @Override
  public CompletionStage<Long> killAll(long floor, boolean lock) {
    Change c;
    synchronized (this) {
      c = kill(floor, lock);
    }
    notify(c);
    return done(Long.parseLong(c.value()));
  }

  @Override
  public CompletionStage<Long> reseedIfEmpty(long floor) {
    Change c;
    // check and kill under one lock: a second caller must get the epoch the first one set
    synchronized (this) {
      if (initialized) {
        return done(epoch);
      }
      initialized = true;
      c = kill(floor, true);
    }
    notify(c);
    return done(Long.parseLong(c.value()));
  }

  private Change kill(long floor, boolean lock) {
    epoch = Math.max(epoch, floor) + 1;
    lockdown = lockdown || lock;
    return new Change(Change.Kind.KILL_ALL, Long.toString(epoch), ++version);
  }

  @Override
  public synchronized CompletionStage<Void> initialize(long epochFloor) {
    if (!initialized) {
      epoch = Math.max(epoch, epochFloor);
    }
    initialized = true;
    return done(null);
  }

  @Override
  public CompletionStage<Void> revoke(String jti, Instant grantExpiresAt) {
    Change c;
    synchronized (this) {
      revoked.merge(jti, grantExpiresAt, (a, b) -> a.isAfter(b) ? a : b);
      c = new Change(Change.Kind.REVOKE, jti, ++version);
    }
    notify(c);
    return done(null);
  }

  @Override
  public CompletionStage<Void> suspend(String agent) {
    return change(Change.Kind.SUSPEND, agent, () -> suspended.add(agent));
  }

  @Override
  public CompletionStage<Void> resume(String agent) {
    return change(Change.Kind.RESUME, agent, () -> suspended.remove(agent));
  }

  @Override
  public CompletionStage<Void> liftLockdown() {
    return change(Change.Kind.LOCKDOWN_LIFTED, "-", () -> lockdown = false);
  }

  private CompletionStage<Void> change(Change.Kind kind, String value, Runnable mutation) {
    Change c;
    synchronized (this) {
      mutation.run();
      c = new Change(kind, value, ++version);
    }
    notify(c);
    return done(null);
  }

  @Override
  public synchronized CompletionStage<Void> heartbeat(String nodeId, long acknowledgedEpoch, Instant at) {
    nodes.put(nodeId, new NodeStatus(nodeId, acknowledgedEpoch, at));
    return done(null);
  }

  @Override
  public synchronized CompletionStage<Void> deregister(String nodeId) {
    nodes.remove(nodeId);
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<List<NodeStatus>> nodes(Instant now, Duration liveWithin) {
    List<NodeStatus> live = new ArrayList<>();
    for (NodeStatus n : nodes.values()) {
      if (!n.lastSeen().isBefore(now.minus(liveWithin))) {
        live.add(n);
      }
    }
    return done(live);
  }

  @Override
  public AutoCloseable subscribe(Consumer<Change> onChange, Runnable onSubscribed) {
    listeners.add(onChange);
    onSubscribed.run();
    return () -> listeners.remove(onChange);
  }

  private void notify(Change c) {
    for (Consumer<Change> l : listeners) {
      l.accept(c);
    }
  }

  private static <T> CompletionStage<T> done(T v) {
    return CompletableFuture.completedFuture(v);
  }
}
