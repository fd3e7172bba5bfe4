package io.airlock.policy.request;

import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the final approval entitles the requester to: the claims the gateway signs. The grant's
 * lifetime counts from {@code approvedAt}, not from when the request was made, so time spent
 * waiting for approvers is not taken off the agent's working time.
 *
 * @param approvers normalised ids of everyone who approved, in review order (claim {@code apr})
 * @param ttl the requested duration, capped by the policy maximum in force at approval
 */
public record GrantTerms(
    String requestId,
    String agent,
    String ticket,
    List<String> clients,
    Set<Action> actions,
    Set<FieldClass> unmask,
    List<String> approvers,
    Instant approvedAt,
    Duration ttl) {

  public GrantTerms {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(ticket, "ticket");
    clients = List.copyOf(clients);
    actions = Set.copyOf(actions);
    unmask = Set.copyOf(unmask);
    approvers = List.copyOf(approvers);
    Objects.requireNonNull(approvedAt, "approvedAt");
    Objects.requireNonNull(ttl, "ttl");
  }

  /** The latest expiry a grant for these terms may carry. */
  public Instant expiresAt() {
    return approvedAt.plus(ttl);
  }
}
