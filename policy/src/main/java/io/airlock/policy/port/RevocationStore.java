package io.airlock.policy.port;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Shared revocation state (DESIGN.md "Shared state"): the global epoch, revoked grant ids,
 * suspended agents, lockdown, and which nodes acknowledged which epoch. Every write bumps a
 * version and publishes a {@link Change}, so nodes can confirm freshness with one cheap read and
 * apply changes without a reload.
 */
public interface RevocationStore {
  /** Everything, in one consistent read. */
  CompletionStage<State> load();

  /** The version and epoch only: what a node polls to prove its copy is still current. */
  CompletionStage<Stamp> stamp();

  /**
   * Kill-all: epoch becomes {@code max(epoch, floor) + 1}, lockdown is set if asked; returns
   * the new epoch only once the store confirmed it.
   */
  CompletionStage<Long> killAll(long floor, boolean lockdown);

  /**
   * After the store came back empty: the same as {@link #killAll} with lockdown, plus the
   * initialised marker, but only if the marker is still missing (the first node to notice wins,
   * the others get the epoch it set).
   */
  CompletionStage<Long> reseedIfEmpty(long floor);

  /**
   * Marks a fresh store as holding Airlock state, raising the epoch to at least {@code
   * epochFloor}. Nodes pass the wall clock in milliseconds: epochs are then never below the time
   * they were set, so a store that comes back empty (even to a node with no memory of it) starts
   * above every grant issued before, and nothing that was killed comes back.
   */
  CompletionStage<Void> initialize(long epochFloor);

  default CompletionStage<Void> initialize() {
    return initialize(0);
  }

  /**
   * Revokes grant {@code jti} for as long as some node may still accept it: a store keeps the id
   * past {@code grantExpiresAt} by the verifier's leeway and a clock margin ({@code
   * GrantsConfig.revocableAfterExpiry}, given to the store when it is built), and only then
   * forgets it. Forgetting at {@code exp} would let a reload within the leeway serve it again.
   */
  CompletionStage<Void> revoke(String jti, Instant grantExpiresAt);

  CompletionStage<Void> suspend(String agent);

  CompletionStage<Void> resume(String agent);

  CompletionStage<Void> liftLockdown();

  CompletionStage<Void> heartbeat(String nodeId, long acknowledgedEpoch, Instant at);

  /** A node that stops on purpose: it no longer counts among the live nodes at once. */
  CompletionStage<Void> deregister(String nodeId);

  /** Nodes that sent a heartbeat within {@code liveWithin} of {@code now}. */
  CompletionStage<List<NodeStatus>> nodes(Instant now, Duration liveWithin);

  /**
   * Subscribes to changes. {@code onSubscribed} runs every time the subscription is
   * (re)established, after which the caller must reload: pub/sub does not replay what was
   * missed while disconnected.
   */
  AutoCloseable subscribe(Consumer<Change> onChange, Runnable onSubscribed);

  /** Whole state. {@code initialized} false means the store holds no Airlock state at all. */
  record State(
      boolean initialized, long version, long epoch, Set<String> revokedJtis, Set<String> suspendedAgents, boolean lockdown) {
    public State {
      revokedJtis = Set.copyOf(revokedJtis);
      suspendedAgents = Set.copyOf(suspendedAgents);
    }
  }

  /** Version and epoch: enough to tell whether a local copy is current. */
  record Stamp(boolean initialized, long version, long epoch) {}

  record NodeStatus(String nodeId, long acknowledgedEpoch, Instant lastSeen) {}

  /** One published change; {@code value} is the jti, agent or new epoch. */
  record Change(Kind kind, String value, long version) {
    public enum Kind {
      KILL_ALL,
      REVOKE,
      SUSPEND,
      RESUME,
      LOCKDOWN_LIFTED
    }

    public Change {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(value, "value");
    }
  }
}
