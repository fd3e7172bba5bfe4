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
   * is not {@link #freshAt fresh}: an old view might miss a kill-all, so stale means deny.
   */
  public void check(Grant grant, Instant now, Duration maxStaleness) {
    Denied dead = killed(grant);
    if (dead != null) {
      throw dead;
    }
    if (!freshAt(now, maxStaleness)) {
      Duration age = Duration.between(confirmedAt, now);
      throw new Denied(
          Reason.REVOCATION_STALE,
          age.isNegative()
              ? "revocation state confirmed at " + confirmedAt + ", after now (" + now + "): the clock went back; "
                  + "waiting for the next confirmation"
              : "revocation state not confirmed for " + age.toMillis() + " ms (limit " + maxStaleness.toMillis() + " ms)");
    }
  }

  /**
   * Confirmed within {@code maxStaleness} before {@code now}. A confirmation after {@code now}
   * means the wall clock stepped back since: the true age is then unknown, and unknown counts as
   * stale (fail closed) until the next confirmation is stamped by the clock as it is now.
   */
  public boolean freshAt(Instant now, Duration maxStaleness) {
    Duration age = Duration.between(confirmedAt, now);
    return !age.isNegative() && age.compareTo(maxStaleness) <= 0;
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
