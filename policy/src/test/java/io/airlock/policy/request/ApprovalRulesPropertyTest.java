package io.airlock.policy.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.RequestPolicy;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.airlock.policy.staff.StaffId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever staff do to a request, in whatever order and timing: it leaves PENDING at most once,
 * every accepted transition adds exactly one to the version, and it is APPROVED only with enough
 * distinct approvers, none of them the requester, each allowed by the role and team rules, and a
 * security approver where one is required. The invariants are checked here from first
 * principles, not by asking {@link ApprovalRules}.
 */
class ApprovalRulesPropertyTest {

  /** Everyone who might act, including the requester in disguise and a look-alike. */
  static final List<Staff> CAST =
      List.of(
          RequestFixtures.ALICE,
          RequestFixtures.staff(" ALICE", Set.of(Role.MANAGER, Role.SECURITY), "payments"),
          RequestFixtures.staff("\uFF41lice", Set.of(Role.SECURITY)),
          RequestFixtures.staff("\u0430lice", Set.of(Role.MANAGER, Role.SECURITY), "payments"),
          RequestFixtures.BOB,
          RequestFixtures.MARIA,
          RequestFixtures.staff("Maria", Set.of(Role.MANAGER), "payments"),
          RequestFixtures.MARK,
          RequestFixtures.OMAR,
          RequestFixtures.SAM,
          RequestFixtures.SARA,
          RequestFixtures.LEAD,
          RequestFixtures.staff("mixed", Set.of(Role.MANAGER, Role.SECURITY), "kyc"));

  enum Kind {
    APPROVE,
    DENY,
    CANCEL,
    WAIT
  }

  record Step(Kind kind, int who, int minutes) {}

  record Scenario(RequestPolicy.Approvals approvals, List<String> unmask, boolean write, List<Step> steps) {}

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<RequestPolicy.Approvals> approvals =
        Combinators.combine(
                Arbitraries.integers().between(1, 4),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(1, 4),
                Arbitraries.of(true, false),
                Arbitraries.of(true, false))
            .as((req, sameTeam, writeReq, writeSec, managersToo) ->
                new RequestPolicy.Approvals(
                    req,
                    managersToo ? EnumSet.of(Role.MANAGER, Role.SECURITY) : EnumSet.of(Role.SECURITY),
                    sameTeam,
                    EnumSet.of(FieldClass.SSN, FieldClass.BANK, FieldClass.CARD, FieldClass.DOCUMENT),
                    writeReq,
                    writeSec));
    Arbitrary<List<String>> unmask =
        Arbitraries.of("email", "phone", "ssn", "bank", "card", "document").set().ofMaxSize(3).map(List::copyOf);
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.frequency(
                    net.jqwik.api.Tuple.of(6, Kind.APPROVE),
                    net.jqwik.api.Tuple.of(1, Kind.DENY),
                    net.jqwik.api.Tuple.of(1, Kind.CANCEL),
                    net.jqwik.api.Tuple.of(1, Kind.WAIT)),
                Arbitraries.integers().between(0, CAST.size() - 1),
                Arbitraries.integers().between(0, 8))
            .as(Step::new);
    return Combinators.combine(approvals, unmask, Arbitraries.of(true, false), step.list().ofMaxSize(14))
        .as(Scenario::new);
  }

  @Property(tries = 1000)
  void invariantsHoldWhateverStaffDo(@ForAll("scenarios") Scenario s) {
    ApprovalRules rules = RequestFixtures.rules(s.approvals());
    AccessRequest r =
        rules.create(
            RequestFixtures.newRequest(s.unmask(), s.write() ? List.of("read", "write") : null),
            RequestFixtures.ALICE,
            "req-p",
            RequestFixtures.T0);
    assertThat(r.requiredApprovals())
        .isEqualTo(s.write() ? Math.max(s.approvals().required(), s.approvals().writeRequired()) : s.approvals().required());

    Instant now = RequestFixtures.T0;
    int leftPending = 0;
    for (Step step : s.steps()) {
      now = now.plus(Duration.ofMinutes(step.minutes()));
      Staff who = CAST.get(step.who());
      AccessRequest before = r;
      AccessRequest after;
      try {
        after =
            switch (step.kind()) {
              case APPROVE -> RequestFixtures.review(rules, before, who, Review.Verdict.APPROVE, null, now);
              case DENY -> RequestFixtures.review(rules, before, who, Review.Verdict.DENY, "no", now);
              case CANCEL -> rules.cancel(before, who, now);
              case WAIT -> rules.expireIfDue(before, now);
            };
      } catch (RequestRejected e) {
        after = before;
      }
      if (after != before) {
        assertThat(before.state()).as("only a pending request changes").isEqualTo(RequestState.PENDING);
        assertThat(after.version()).isEqualTo(before.version() + 1);
        if (after.state() != RequestState.PENDING) {
          leftPending++;
        }
      }
      assertThat(leftPending).isLessThanOrEqualTo(1);
      checkApprovals(s.approvals(), after);
      r = after;
    }
    Statistics.collect(r.state());
    // the invariants above mean little unless every outcome actually happens
    Statistics.coverage(
        c -> {
          for (RequestState st : RequestState.values()) {
            c.check(st).percentage(p -> p > 2);
          }
        });
  }

  private static void checkApprovals(RequestPolicy.Approvals policy, AccessRequest r) {
    Set<String> distinct = new HashSet<>();
    boolean security = false;
    List<String> all = new ArrayList<>();
    for (Review rv : r.reviews()) {
      String id = StaffId.normalize(rv.reviewer()).orElseThrow();
      all.add(id);
      assertThat(id).as("never the requester").isNotEqualTo("alice");
      boolean asSecurity = rv.roles().contains(Role.SECURITY) && policy.approverRoles().contains(Role.SECURITY);
      boolean asManager =
          rv.roles().contains(Role.MANAGER)
              && policy.approverRoles().contains(Role.MANAGER)
              && (!policy.sameTeam() || rv.teams().stream().anyMatch(r.requesterTeams()::contains));
      assertThat(asSecurity || asManager).as("%s may decide", id).isTrue();
      if (rv.verdict() == Review.Verdict.APPROVE) {
        distinct.add(id);
        security |= rv.roles().contains(Role.SECURITY);
      }
    }
    assertThat(all).as("one review per person").doesNotHaveDuplicates();
    if (r.state() == RequestState.APPROVED) {
      assertThat(distinct.size()).isGreaterThanOrEqualTo(r.requiredApprovals());
      if (r.securityApprovalRequired()) {
        assertThat(security).as("a security approver").isTrue();
      }
      assertThat(r.grant()).isPresent();
    }
  }
}
