package io.airlock.policy.request;

import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.RequestPolicy;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;

/** The demo cast (DESIGN.md) plus a few more, a fixed clock, and shortcuts to reach each state. */
final class RequestFixtures {
  private RequestFixtures() {}

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T09:00:00Z"), ZoneOffset.UTC);
  static final Instant T0 = CLOCK.instant();

  static final Staff ALICE = staff("alice", Set.of(Role.AGENT), "payments");
  static final Staff BOB = staff("bob", Set.of(Role.AGENT), "payments");
  static final Staff MARIA = staff("maria", Set.of(Role.MANAGER), "payments");
  static final Staff MARK = staff("mark", Set.of(Role.MANAGER), "payments");
  static final Staff OMAR = staff("omar", Set.of(Role.MANAGER), "kyc");
  static final Staff SAM = staff("sam", Set.of(Role.SECURITY));
  static final Staff SARA = staff("sara", Set.of(Role.SECURITY), "payments");
  /** A team lead who is both agent and manager. */
  static final Staff LEAD = staff("lead", Set.of(Role.AGENT, Role.MANAGER), "payments");

  static Staff staff(String id, Set<Role> roles, String... teams) {
    return new Staff(id, roles, Set.of(teams));
  }

  static final ApprovalRules RULES = new ApprovalRules(PolicyConfig.defaults());

  static ApprovalRules rules(RequestPolicy.Approvals approvals) {
    RequestPolicy d = RequestPolicy.defaults();
    return new ApprovalRules(
        new PolicyConfig(
            Duration.ofMinutes(15),
            Duration.ofMinutes(60),
            new RequestPolicy(
                d.ticketPattern(),
                d.maxClients(),
                d.clientPattern(),
                d.reasonMinLength(),
                d.reasonMaxLength(),
                d.pendingTimeout(),
                approvals)));
  }

  static NewRequest newRequest(List<String> unmask, List<String> actions) {
    return new NewRequest(
        "SUP-1234", List.of("c-1001", "c-1002"), "customer cannot log in", null, unmask, actions);
  }

  /** A pending read request by alice for {@code unmask}. */
  static AccessRequest pending(ApprovalRules rules, String... unmask) {
    return rules.create(newRequest(List.of(unmask), null), ALICE, "req-1", T0);
  }

  static AccessRequest pendingWrite(ApprovalRules rules) {
    return rules.create(newRequest(List.of(), List.of("read", "write")), ALICE, "req-w", T0);
  }

  /** What a signer would return for these terms: whole seconds, exactly the approved TTL. */
  static IssuedGrantRecord sign(GrantTerms terms) {
    Instant iat = terms.approvedAt().truncatedTo(ChronoUnit.SECONDS);
    return new IssuedGrantRecord("jti-" + terms.requestId(), "token-" + terms.requestId(), iat, iat.plus(terms.ttl()));
  }

  /** Applies a review and, when it completes the request, issues the grant. */
  static AccessRequest review(
      ApprovalRules rules, AccessRequest r, Staff who, Review.Verdict v, String comment, Instant at) {
    ReviewOutcome o = rules.applyReview(r, who, v, comment, at);
    if (o instanceof ReviewOutcome.Issue issue) {
      return rules.withGrant(issue, sign(issue.terms()));
    }
    return ((ReviewOutcome.Recorded) o).request();
  }

  static AccessRequest approve(ApprovalRules rules, AccessRequest r, Staff who, Instant at) {
    return review(rules, r, who, Review.Verdict.APPROVE, "ok", at);
  }

  static AccessRequest deny(ApprovalRules rules, AccessRequest r, Staff who, Instant at) {
    return review(rules, r, who, Review.Verdict.DENY, "not justified by the ticket", at);
  }
}
