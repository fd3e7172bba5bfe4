package io.airlock.gateway.revocation;

import io.airlock.policy.port.RevocationStore;
import io.airlock.policy.port.RevocationStore.Change;
import io.airlock.policy.revocation.RevocationSnapshot;
import io.airlock.policy.revocation.RevocationView;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's copy of the revocation state current (DESIGN.md data-plane steps 4-5):
 * subscribe first, then load, reload after every resubscription, and confirm freshness on a
 * timer. The data plane reads {@link #current()} with no I/O; a copy not confirmed within
 * {@code maxStaleness} makes it answer 503, so a node cut off from the store fails closed.
 *
 * <p>Changes published by the store are applied the moment they arrive (a kill-all does not wait
 * for a reload), then acknowledged with a heartbeat so the node that issued it can count us.
 *
 * <p>A load can be overtaken by changes: it reads the store, and before its answer is installed
 * pub/sub delivers a revoke made just after the read. Installing the answer as it is would undo
 * that revoke until the next confirmation. So the copy tracks the version it is exact up to, and
 * a load never lowers it: one older than the copy is not installed, and changes that arrived out of
 * order are applied again over a newer one, and a change no newer than the copy is not applied
 * at all (it would undo what a newer load installed).
 *
 * <p>A store whose version went below one this node had seen lost changes (a failover to a replica
 * that missed writes, a restart that another node already re-seeded). Its versions are the ones
 * that go on, but nothing is taken back: the copy keeps its revoked ids, suspensions and lockdown,
 * security is alerted, and the node writes back what every node needs to converge, as for a store
 * that came back empty: a kill-all with lockdown above every epoch it saw (unless the store
 * already has one), then the lost suspensions.
 */
public final class RevocationSync implements RevocationView, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RevocationSync.class);

  private final Vertx vertx;
  private final RevocationStore store;
  private final String nodeId;
  private final Duration maxStaleness;
  private final Clock clock;
  private final long intervalMillis;
  private final CopyOnWriteArrayList<Consumer<RevocationSnapshot>> listeners = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Consumer<String>> alerts = new CopyOnWriteArrayList<>();

  private volatile RevocationSnapshot snapshot;
  /** The store version the snapshot is exact up to: the last load, then every change applied in order. */
  private long version = -1;
  /** Changes applied beyond a gap (past version + 1), applied again over a load older than they are. */
  private final TreeMap<Long, Change> ahead = new TreeMap<>();
  private long highestEpochSeen;
  private boolean seenInitialized;
  /** What a store that lost changes no longer holds: kept in every snapshot until written back. */
  private Lost lost;
  private boolean repairing;
  private long timer = -1;
  private AutoCloseable subscription;
  private volatile boolean closed;
  private final Object registration = new Object();

  public RevocationSync(Vertx vertx, RevocationStore store, String nodeId, Duration maxStaleness, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.nodeId = nodeId;
    this.maxStaleness = maxStaleness;
    this.clock = clock;
    // four confirmations per staleness window: one lost round trip does not make us stale
    this.intervalMillis = Math.max(25, maxStaleness.toMillis() / 4);
    // never confirmed: stale from the start, so nothing is served before the first load
    this.snapshot = RevocationSnapshot.empty(Instant.EPOCH);
  }

  /** Subscribes, loads, starts the confirmation timer; completes after the first good load. */
  public Future<Void> start() {
    Promise<Void> first = Promise.promise();
    subscription =
        store.subscribe(
            this::apply,
            () -> reload().whenComplete((v, err) -> {
              if (err == null) {
                first.tryComplete();
              } else {
                log.warn("revocation: load after subscribing failed: {}", err.toString());
              }
            }));
    timer = vertx.setPeriodic(intervalMillis, id -> confirm());
    return first.future();
  }

  @Override
  public RevocationSnapshot current() {
    return snapshot;
  }

  /** True while the local copy is confirmed within maxStaleness (readiness). */
  public boolean fresh() {
    return snapshot.freshAt(clock.instant(), maxStaleness);
  }

  /** Called with every new snapshot that may kill something (to cut in-flight exchanges). */
  public void onChange(Consumer<RevocationSnapshot> listener) {
    listeners.add(listener);
  }

  /** Called with a message for security when the store came back empty or lost changes. */
  public void onAlert(Consumer<String> listener) {
    alerts.add(listener);
  }

  public long epoch() {
    return snapshot.epoch();
  }

  private void confirm() {
    if (closed) {
      return;
    }
    Instant sentAt = clock.instant();
    store
        .stamp()
        .thenCompose(
            stamp -> {
              synchronized (this) {
                // a write-back that failed is retried by the reload
                boolean repairDue = lost != null && !repairing;
                if (!repairDue && stamp.initialized() && stamp.version() == version && stamp.epoch() == snapshot.epoch()) {
                  RevocationSnapshot s = snapshot;
                  snapshot = new RevocationSnapshot(s.epoch(), s.revokedJtis(), s.suspendedAgents(), s.lockdown(), sentAt);
                  return heartbeat();
                }
              }
              return reload().thenCompose(v -> heartbeat());
            })
        .whenComplete(
            (v, err) -> {
              if (err != null && !closed) {
                log.debug("revocation: confirmation failed: {}", err.toString());
              }
            });
  }

  private CompletionStage<Void> heartbeat() {
    // the check and the send under one lock with close()'s: a confirmation still in flight when
    // the node stops must not undo its deregistration, and without the lock a heartbeat that had
    // passed the check could still be sent after it (both go out on one connection, in order)
    synchronized (registration) {
      if (closed) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }
      return store.heartbeat(nodeId, snapshot.epoch(), clock.instant());
    }
  }

  /** Full load; handles a store that came back empty. */
  CompletionStage<Void> reload() {
    Instant sentAt = clock.instant();
    long versionAtSend;
    synchronized (this) {
      versionAtSend = version;
    }
    return store
        .load()
        .thenCompose(
            state -> {
              if (state.initialized()) {
                Repair repair = install(state, sentAt, versionAtSend);
                return repair == null ? heartbeat() : repair(repair);
              }
              boolean knewState;
              long floor;
              synchronized (this) {
                knewState = seenInitialized || highestEpochSeen > 0;
                floor = highestEpochSeen;
                // the store's history is gone: its versions start again, nothing ahead of them counts
                version = -1;
                ahead.clear();
              }
              if (!knewState) {
                return store.initialize(clock.millis()).thenCompose(v -> reload());
              }
              // revoked ids, suspensions and lockdown are gone with the data: kill everything
              String msg =
                  "revocation store came back EMPTY (restart without persistence?): implicit kill-all with lockdown, epoch re-seeded above "
                      + floor;
              log.error("SECURITY: {}", msg);
              alerts.forEach(a -> a.accept(msg));
              return store.reseedIfEmpty(Math.max(floor, clock.millis())).thenCompose(e -> reload());
            });
  }

  /**
   * @param confirmedAt when the load was sent: the store was at this state or a later one then
   * @param versionAtSend {@link #version} when the load was sent
   * @return what to write back to a store that lost changes, or null
   */
  private Repair install(RevocationStore.State state, Instant confirmedAt, long versionAtSend) {
    RevocationSnapshot next;
    Repair repair = null;
    synchronized (this) {
      seenInitialized = true;
      RevocationSnapshot s = snapshot;
      long loaded = state.version();
      Draft d;
      boolean wentBack = false;
      // below min(...): a concurrent load that already saw the drop (or the store come back
      // empty) lowered version, and it was handled then
      if (loaded < Math.min(versionAtSend, version)) {
        // versions went backwards: the store lost changes this copy has. Its history goes on from
        // here, but what it lost stays until written back
        wentBack = true;
        ahead.clear();
        version = loaded;
        d = new Draft(state);
        if (lost == null) {
          lost = new Lost(highestEpochSeen);
        }
        lost.revoked.addAll(s.revokedJtis());
        lost.suspended.addAll(s.suspendedAgents());
        lost.lockdown |= s.lockdown();
        lost.revoked.removeAll(state.revokedJtis());
        lost.suspended.removeAll(state.suspendedAgents());
      } else if (loaded < version) {
        // changes arrived in order while this load was in flight: the copy is newer than the
        // answer, and the store was at most at the answer when the load was sent, so the copy
        // is confirmed as of then
        d = new Draft(s);
      } else {
        ahead.headMap(loaded, true).clear();
        d = new Draft(state);
        ahead.values().forEach(d::apply);
        version = loaded;
        advance();
      }
      if (lost != null) {
        d.revoked.addAll(lost.revoked);
        d.suspended.addAll(lost.suspended);
        d.lockdown |= lost.lockdown;
        if (!repairing) {
          repairing = true;
          // a store that already killed everything this node saw, with lockdown, needs no new kill
          boolean kill = !(state.lockdown() && state.epoch() > lost.epochsUpTo);
          repair = new Repair(wentBack, versionAtSend, loaded, kill, lost.epochsUpTo, Set.copyOf(lost.suspended));
        }
      }
      d.epoch = Math.max(d.epoch, s.epoch());
      highestEpochSeen = Math.max(highestEpochSeen, d.epoch);
      next = d.snapshot(confirmedAt);
      snapshot = next;
    }
    listeners.forEach(l -> l.accept(next));
    return repair;
  }

  /**
   * Alerts and writes back what the store lost: the kill-all first (until it lands, the copy's
   * lockdown and revoked ids cover everything), then the suspensions, which outlive a lockdown.
   * Revoked ids are not written back: their grants are below the new epoch.
   */
  private CompletionStage<Void> repair(Repair r) {
    if (r.newly()) {
      String msg =
          "revocation store LOST CHANGES (version "
              + r.loaded()
              + " loaded after "
              + r.seen()
              + " was seen: failover to a replica that missed writes?): nothing it lost is taken back; "
              + (r.kill() ? "implicit kill-all with lockdown above epoch " + r.epochFloor() : "its kill-all with lockdown stands")
              + (r.suspensions().isEmpty() ? "" : ", suspensions written back: " + r.suspensions());
      log.error("SECURITY: {}", msg);
      alerts.forEach(a -> a.accept(msg));
    }
    CompletionStage<?> step =
        r.kill() ? store.killAll(Math.max(r.epochFloor(), clock.millis()), true) : CompletableFuture.completedFuture(null);
    for (String agent : r.suspensions()) {
      step = step.thenCompose(v -> store.suspend(agent));
    }
    return step.handle(
            (v, err) -> {
              synchronized (this) {
                repairing = false;
                if (err == null) {
                  lost = null;
                }
              }
              if (err != null) {
                log.error(
                    "SECURITY: revocation: could not write back what the store lost (retried on the next confirmation): {}",
                    err.toString());
                throw new CompletionException(err);
              }
              return null;
            })
        .thenCompose(v -> reload());
  }

  /** Moves {@link #version} over changes that arrived early and are now in order. */
  private void advance() {
    while (ahead.remove(version + 1) != null) {
      version++;
    }
    ahead.headMap(version, true).clear();
  }

  private void apply(Change c) {
    RevocationSnapshot next;
    boolean gap;
    synchronized (this) {
      if (version >= 0 && c.version() <= version) {
        // the copy already includes it (a newer load was installed): applying it again would
        // undo a newer change, a lockdown lifted before a kill-all, a resume before a suspension
        return;
      }
      RevocationSnapshot s = snapshot;
      Draft d = new Draft(s);
      d.apply(c);
      highestEpochSeen = Math.max(highestEpochSeen, d.epoch);
      // a change we can apply in order keeps the copy exact; a gap means we missed one
      gap = c.version() != version + 1;
      if (c.kind() == Change.Kind.KILL_ALL) {
        // it does not say whether it set lockdown: the copy is exact again only after the reload
        // below, which a kill-all always triggers
      } else if (!gap) {
        version = c.version();
        advance();
      } else if (c.version() > version) {
        ahead.put(c.version(), c);
      }
      // applying a change is not a confirmation: confirmedAt stays as it was
      next = d.snapshot(s.confirmedAt());
      snapshot = next;
    }
    listeners.forEach(l -> l.accept(next));
    // acknowledge first (the kill-all caller is counting nodes), then reconcile
    CompletionStage<Void> after = gap || c.kind() == Change.Kind.KILL_ALL ? heartbeat().thenCompose(v -> reload()) : heartbeat();
    after.whenComplete((v, err) -> {
      if (err != null) {
        log.debug("revocation: follow-up after {} failed: {}", c.kind(), err.toString());
      }
    });
  }

  /** Revoked ids, suspensions and lockdown the store lost; epochs up to {@code epochsUpTo} were seen. */
  private static final class Lost {
    final long epochsUpTo;
    final Set<String> revoked = new HashSet<>();
    final Set<String> suspended = new HashSet<>();
    boolean lockdown;

    Lost(long epochsUpTo) {
      this.epochsUpTo = epochsUpTo;
    }
  }

  /** @param newly the loss was just found (alert), not a write-back being retried */
  private record Repair(boolean newly, long seen, long loaded, boolean kill, long epochFloor, Set<String> suspensions) {}

  /** A snapshot being built: a loaded state or the current copy, with changes applied to it. */
  private static final class Draft {
    long epoch;
    final Set<String> revoked;
    final Set<String> suspended;
    boolean lockdown;

    Draft(RevocationSnapshot s) {
      this(s.epoch(), s.revokedJtis(), s.suspendedAgents(), s.lockdown());
    }

    Draft(RevocationStore.State s) {
      this(s.epoch(), s.revokedJtis(), s.suspendedAgents(), s.lockdown());
    }

    private Draft(long epoch, Set<String> revoked, Set<String> suspended, boolean lockdown) {
      this.epoch = epoch;
      this.revoked = new HashSet<>(revoked);
      this.suspended = new HashSet<>(suspended);
      this.lockdown = lockdown;
    }

    void apply(Change c) {
      switch (c.kind()) {
        case KILL_ALL -> epoch = Math.max(epoch, Long.parseLong(c.value()));
        case REVOKE -> revoked.add(c.value());
        case SUSPEND -> suspended.add(c.value());
        case RESUME -> suspended.remove(c.value());
        case LOCKDOWN_LIFTED -> lockdown = false;
      }
    }

    RevocationSnapshot snapshot(Instant confirmedAt) {
      return new RevocationSnapshot(epoch, revoked, suspended, lockdown, confirmedAt);
    }
  }

  @Override
  public void close() throws Exception {
    CompletionStage<Void> deregistered;
    synchronized (registration) {
      closed = true;
      // a node that stopped on purpose is not a node that missed a kill-all: leave the count
      CompletionStage<Void> d;
      try {
        d = store.deregister(nodeId);
      } catch (RuntimeException e) {
        d = java.util.concurrent.CompletableFuture.failedFuture(e);
      }
      deregistered = d;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (subscription != null) {
      subscription.close();
    }
    try {
      deregistered.toCompletableFuture().get(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("revocation: could not deregister node {} (its heartbeat simply ages out): {}", nodeId, e.toString());
    }
  }
}
