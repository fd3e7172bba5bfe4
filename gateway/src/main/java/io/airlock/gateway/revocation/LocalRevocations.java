package io.airlock.gateway.revocation;

import io.airlock.policy.revocation.RevocationSnapshot;
import io.airlock.policy.revocation.RevocationView;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Revocation state of a single node with no shared store: this process is the source of truth,
 * so its view is confirmed at every read and can never be stale. Multi-node deployments use
 * the Redis-backed sync instead.
 */
public final class LocalRevocations implements RevocationView {
  private final Clock clock;
  private final AtomicReference<RevocationSnapshot> state;

  public LocalRevocations(Clock clock) {
    this.clock = clock;
    this.state = new AtomicReference<>(RevocationSnapshot.empty(clock.instant()));
  }

  @Override
  public RevocationSnapshot current() {
    RevocationSnapshot s = state.get();
    return new RevocationSnapshot(s.epoch(), s.revokedJtis(), s.suspendedAgents(), s.lockdown(), clock.instant());
  }
}
