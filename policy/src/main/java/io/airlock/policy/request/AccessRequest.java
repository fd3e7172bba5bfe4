package io.airlock.policy.request;

import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An agent's request for time-boxed access to named clients under one ticket, and everything
 * that happened to it. Immutable: {@code ApprovalRules} returns a new value with {@code version}
 * one higher, and stores write it only if the stored version is still the one that was read
 * (compare-and-swap).
 *
 * @param requesterTeams the requester's teams when they asked (the same-team rule uses these)
 * @param requiredApprovals distinct approvals needed, fixed at creation from policy
 * @param securityApprovalRequired at least one approver must have the security role
 * @param pendingUntil after this instant a pending request expires
 * @param decisionReason the deny reason, or the cancel/expiry note
 * @param grant set exactly when {@code state == APPROVED}
 */
public record AccessRequest(
    String id,
    String requester,
    Set<String> requesterTeams,
    String ticket,
    List<String> clients,
    String reason,
    Duration duration,
    Set<FieldClass> unmask,
    Set<Action> actions,
    RequestState state,
    Instant createdAt,
    Instant pendingUntil,
    int requiredApprovals,
    boolean securityApprovalRequired,
    List<Review> reviews,
    Optional<String> decisionReason,
    Optional<IssuedGrantRecord> grant,
    Instant updatedAt,
    long version) {

  public AccessRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(requester, "requester");
    requesterTeams = Set.copyOf(requesterTeams);
    Objects.requireNonNull(ticket, "ticket");
    clients = List.copyOf(clients);
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(duration, "duration");
    unmask = Set.copyOf(unmask);
    actions = Set.copyOf(actions);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(pendingUntil, "pendingUntil");
    reviews = List.copyOf(reviews);
    Objects.requireNonNull(decisionReason, "decisionReason");
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(updatedAt, "updatedAt");
    if ((state == RequestState.APPROVED) != grant.isPresent()) {
      throw new IllegalArgumentException("a request carries a grant exactly when it is approved");
    }
  }

  public long approvals() {
    return reviews.stream().filter(r -> r.verdict() == Review.Verdict.APPROVE).count();
  }
}
