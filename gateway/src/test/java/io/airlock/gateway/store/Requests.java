package io.airlock.gateway.store;

import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.request.AccessRequest;
import io.airlock.policy.request.IssuedGrantRecord;
import io.airlock.policy.request.RequestState;
import io.airlock.policy.request.Review;
import io.airlock.policy.staff.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Access requests for store tests, built the way ApprovalRules would move them along. */
final class Requests {
  private Requests() {}

  static AccessRequest pending(String id, String requester, Instant createdAt) {
    return new AccessRequest(
        id,
        requester,
        Set.of("payments"),
        "SUP-" + Math.abs(id.hashCode() % 10_000),
        List.of("c-1001", "c-1002"),
        "customer cannot log in",
        Duration.ofMinutes(15),
        Set.of(FieldClass.EMAIL),
        Set.of(Action.READ),
        RequestState.PENDING,
        createdAt,
        createdAt.plus(Duration.ofMinutes(30)),
        1,
        false,
        List.of(),
        Optional.empty(),
        Optional.empty(),
        createdAt,
        0);
  }

  /** Every field set to a non-default value, sub-millisecond instants included. */
  static AccessRequest everyFieldSet(String id, Instant at) {
    Instant t = at.plusNanos(123_456_789);
    return new AccessRequest(
        id,
        "Alice.Example",
        Set.of("payments", "kyc"),
        "SUP-1234",
        List.of("c-9", "c-1", "c-5"),
        "chargeback on \"card\" ending 4242 — ünïcödé, newline\nand tab\t",
        Duration.ofSeconds(754, 1),
        Set.of(FieldClass.EMAIL, FieldClass.SSN, FieldClass.BANK),
        Set.of(Action.READ, Action.WRITE),
        RequestState.APPROVED,
        t,
        t.plus(Duration.ofMinutes(30)),
        2,
        true,
        List.of(
            new Review("maria", Set.of(Role.MANAGER), Set.of("payments"), Review.Verdict.APPROVE, "ok", t.plusSeconds(5)),
            new Review("sam", Set.of(Role.SECURITY, Role.MANAGER), Set.of(), Review.Verdict.APPROVE, "", t.plusMillis(6001))),
        Optional.of("approved after call-back"),
        Optional.of(new IssuedGrantRecord("jti-" + id, "eyJ.token.sig", t.plusSeconds(6), t.plus(Duration.ofMinutes(20)))),
        t.plusSeconds(6),
        0);
  }

  static AccessRequest approvedBy(AccessRequest r, String approver, String jti, Instant expiresAt) {
    Instant at = r.updatedAt().plusSeconds(1);
    List<Review> reviews = new ArrayList<>(r.reviews());
    reviews.add(review(approver, Review.Verdict.APPROVE, at));
    return copy(r, RequestState.APPROVED, reviews, Optional.empty(),
        Optional.of(new IssuedGrantRecord(jti, "token-" + jti, at, expiresAt)), at);
  }

  /** One more approval, still pending (more are required). */
  static AccessRequest oneApproval(AccessRequest r, String approver) {
    Instant at = r.updatedAt().plusSeconds(1);
    List<Review> reviews = new ArrayList<>(r.reviews());
    reviews.add(review(approver, Review.Verdict.APPROVE, at));
    return copy(r, RequestState.PENDING, reviews, Optional.empty(), Optional.empty(), at);
  }

  static AccessRequest deniedBy(AccessRequest r, String reviewer, String reason) {
    Instant at = r.updatedAt().plusSeconds(1);
    List<Review> reviews = new ArrayList<>(r.reviews());
    reviews.add(review(reviewer, Review.Verdict.DENY, at));
    return copy(r, RequestState.DENIED, reviews, Optional.of(reason), Optional.empty(), at);
  }

  static AccessRequest requiring(AccessRequest r, int approvals) {
    return new AccessRequest(r.id(), r.requester(), r.requesterTeams(), r.ticket(), r.clients(), r.reason(),
        r.duration(), r.unmask(), r.actions(), r.state(), r.createdAt(), r.pendingUntil(), approvals,
        r.securityApprovalRequired(), r.reviews(), r.decisionReason(), r.grant(), r.updatedAt(), r.version());
  }

  private static Review review(String who, Review.Verdict verdict, Instant at) {
    return new Review(who, Set.of(Role.MANAGER), Set.of("payments"), verdict, verdict + " by " + who, at);
  }

  private static AccessRequest copy(
      AccessRequest r,
      RequestState state,
      List<Review> reviews,
      Optional<String> decision,
      Optional<IssuedGrantRecord> grant,
      Instant at) {
    return new AccessRequest(r.id(), r.requester(), r.requesterTeams(), r.ticket(), r.clients(), r.reason(),
        r.duration(), r.unmask(), r.actions(), state, r.createdAt(), r.pendingUntil(), r.requiredApprovals(),
        r.securityApprovalRequired(), reviews, decision, grant, at, r.version() + 1);
  }
}
