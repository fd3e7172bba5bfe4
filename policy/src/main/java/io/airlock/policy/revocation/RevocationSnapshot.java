package io.airlock.policy.revocation;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Grant;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What one node knows about revocation at one moment (data-plane steps 4 and 5): the global
 * epoch, revoked grant ids, suspended agents, lockdown, and when this was last confirmed
 * against the shared store. Immutable: a sync swaps in a whole new snapshot.
 */
public record RevocationSnapshot(
    long epoch, Set<String> revokedJtis, Set<String> suspendedAgents, boolean lockdown, Instant confirmedAt) {

  public RevocationSnapshot {
    revokedJtis = Set.copyOf(revokedJtis);
    suspendedAgents = Set.copyOf(suspendedAgents);
    Objects.requireNonNull(confirmedAt, "confirmedAt");
  }

  public static RevocationSnapshot empty(Instant confirmedAt) {
    return new RevocationSnapshot(0, Set.of(), Set.of(), false, confirmedAt);
  }

  /**
   * Denies a grant the snapshot says is dead, then refuses to decide at all when the snapshot
   * is older than {@code maxStaleness}: an old view might miss a kill-all, so stale means deny.
   */
  public void check(Grant grant, Instant now, Duration maxStaleness) {
    Denied dead = killed(grant);
    if (dead != null) {
      throw dead;
    }
    Duration age = Duration.between(confirmedAt, now);
    if (age.compareTo(maxStaleness) > 0) {
      throw new Denied(
          Reason.REVOCATION_STALE,
          "revocation state not confirmed for " + age.toMillis() + " ms (limit " + maxStaleness.toMillis() + " ms)");
    }
  }

  /** Why this snapshot kills the grant, or null if it does not (staleness aside). */
  public Denied killed(Grant grant) {
    if (revokedJtis.contains(grant.jti())) {
      return new Denied(Reason.GRANT_REVOKED, "grant " + grant.jti() + " was revoked");
    }
    if (grant.epoch() < epoch) {
      return new Denied(Reason.GRANT_REVOKED, "grant predates kill-all (grant epoch " + grant.epoch() + " < " + epoch + ")");
    }
    if (lockdown) {
      return new Denied(Reason.GRANT_REVOKED, "the gateway is in lockdown");
    }
    if (suspendedAgents.contains(grant.agent())) {
      return new Denied(Reason.AGENT_SUSPENDED, "agent " + grant.agent() + " is suspended");
    }
    return null;
  }

}
