package io.airlock.policy.request;

import static io.airlock.policy.request.RequestFixtures.ALICE;
import static io.airlock.policy.request.RequestFixtures.BOB;
import static io.airlock.policy.request.RequestFixtures.LEAD;
import static io.airlock.policy.request.RequestFixtures.MARIA;
import static io.airlock.policy.request.RequestFixtures.MARK;
import static io.airlock.policy.request.RequestFixtures.OMAR;
import static io.airlock.policy.request.RequestFixtures.RULES;
import static io.airlock.policy.request.RequestFixtures.SAM;
import static io.airlock.policy.request.RequestFixtures.SARA;
import static io.airlock.policy.request.RequestFixtures.T0;
import static io.airlock.policy.request.RequestFixtures.approve;
import static io.airlock.policy.request.RequestFixtures.deny;
import static io.airlock.policy.request.RequestFixtures.pending;
import static io.airlock.policy.request.RequestFixtures.pendingWrite;
import static io.airlock.policy.request.RequestFixtures.rules;
import static io.airlock.policy.request.RequestFixtures.staff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.RequestPolicy;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may decide, what each review does, and that only a pending request ever changes. */
class ReviewRulesTest {

  static final Instant T1 = T0.plusSeconds(60);
  static final Instant T2 = T0.plusSeconds(120);
  static final Instant T3 = T0.plusSeconds(180);

  static RequestRejected refused(Runnable r) {
    RequestRejected e = catchThrowableOfType(RequestRejected.class, r::run);
    assertThat(e).as("must be refused").isNotNull();
    return e;
  }

  // ------------------------------------------------------------------------- own request

  /** Alice under every disguise, holding every approver role so only the id rule can refuse. */
  static Stream<String> aliceVariants() {
    return Stream.of(
        "alice",
        "Alice",
        "ALICE",
        " alice",
        "alice\t",
        "alice\u00A0", // no-break space: NFKC makes it a space, then it is trimmed
        "\uFF41\uFF4C\uFF49\uFF43\uFF45", // full-width ａｌｉｃｅ
        "\uFF21\uFF2C\uFF29\uFF23\uFF25", // full-width ＡＬＩＣＥ
        "\u24D0lice"); // circled ⓐ: NFKC folds it to a
  }

  @ParameterizedTest
  @MethodSource("aliceVariants")
  void nobodyApprovesTheirOwnRequestUnderAnySpelling(String id) {
    Staff disguised = staff(id, Set.of(Role.AGENT, Role.MANAGER, Role.SECURITY), "payments");
    AccessRequest r = pending(RULES);

    assertThat(RULES.mayDecide(disguised, r)).isFalse();
    for (Review.Verdict v : Review.Verdict.values()) {
      RequestRejected e = refused(() -> RULES.applyReview(r, disguised, v, "looks fine to me", T1));
      assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN);
      assertThat(e.getMessage()).contains("own request");
    }
    // a requester stored by a sloppy writer is compared in normal form too
    AccessRequest sloppy = withRequester(r, id);
    assertThat(refused(() -> RULES.applyReview(sloppy, staff("alice", Set.of(Role.SECURITY)),
        Review.Verdict.APPROVE, null, T1)).reason()).isEqualTo(Reason.FORBIDDEN);
  }

  /** Look-alikes from other scripts are not "another alice": they are not a staff id at all. */
  static Stream<String> unnormalisableIds() {
    return Stream.of(
        "\u0430lice", // Cyrillic а
        "alic\u0435", // Cyrillic е
        "\u03B1lice", // Greek α
        "al\u0131ce", // dotless ı
        "ali\u200Bce", // zero-width space inside
        "",
        "   ",
        "x".repeat(129));
  }

  @ParameterizedTest
  @MethodSource("unnormalisableIds")
  void aReviewerWhoseIdDoesNotNormaliseDecidesNothing(String id) {
    Staff reviewer = staff(id, Set.of(Role.MANAGER, Role.SECURITY), "payments");
    AccessRequest r = pending(RULES);

    assertThat(RULES.mayDecide(reviewer, r)).isFalse();
    assertThat(RULES.maySee(reviewer, r)).isFalse();
    RequestRejected e = refused(() -> RULES.applyReview(r, reviewer, Review.Verdict.APPROVE, null, T1));
    assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN);
    assertThat(refused(() -> RULES.cancel(r, reviewer, T1)).reason()).isEqualTo(Reason.FORBIDDEN);
  }

  // -------------------------------------------------------------------- roles and teams

  record Decider(String name, Function<RequestPolicy.Approvals, RequestPolicy.Approvals> policy, Staff who, boolean may) {
    @Override
    public String toString() {
      return name;
    }
  }

  static RequestPolicy.Approvals noSameTeam(RequestPolicy.Approvals a) {
    return new RequestPolicy.Approvals(
        a.required(), a.approverRoles(), false, a.sensitiveClasses(), a.writeRequired(), a.writeSecurityRequired());
  }

  static RequestPolicy.Approvals managersOnly(RequestPolicy.Approvals a) {
    return new RequestPolicy.Approvals(a.required(), Set.of(Role.MANAGER), a.sameTeam(), Set.of(), a.writeRequired(), false);
  }

  static RequestPolicy.Approvals securityOnly(RequestPolicy.Approvals a) {
    return new RequestPolicy.Approvals(
        a.required(), Set.of(Role.SECURITY), a.sameTeam(), a.sensitiveClasses(), a.writeRequired(), a.writeSecurityRequired());
  }

  static Stream<Decider> deciders() {
    Function<RequestPolicy.Approvals, RequestPolicy.Approvals> dflt = a -> a;
    return Stream.of(
        new Decider("manager of the requester's team", dflt, MARIA, true),
        new Decider("manager of another team", dflt, OMAR, false),
        new Decider("manager without a team", dflt, staff("nomad", Set.of(Role.MANAGER)), false),
        new Decider("manager in several teams, one shared", dflt, staff("multi", Set.of(Role.MANAGER), "kyc", "payments"), true),
        new Decider("team names are compared exactly", dflt, staff("case", Set.of(Role.MANAGER), "Payments"), false),
        new Decider("security without a team", dflt, SAM, true),
        new Decider("security in another team", dflt, staff("sec2", Set.of(Role.SECURITY), "kyc"), true),
        new Decider("manager and security of another team", dflt, staff("both", Set.of(Role.MANAGER, Role.SECURITY), "kyc"), true),
        new Decider("agent of the same team", dflt, BOB, false),
        new Decider("agent who also manages the team", dflt, LEAD, true),
        new Decider("no roles at all", dflt, staff("temp", Set.of(), "payments"), false),
        new Decider("sameTeam off: manager of another team", ReviewRulesTest::noSameTeam, OMAR, true),
        new Decider("sameTeam off: manager without a team", ReviewRulesTest::noSameTeam, staff("nomad", Set.of(Role.MANAGER)), true),
        new Decider("managers only: security", ReviewRulesTest::managersOnly, SAM, false),
        new Decider("managers only: manager", ReviewRulesTest::managersOnly, MARIA, true),
        new Decider("security only: manager", ReviewRulesTest::securityOnly, MARIA, false),
        new Decider("security only: security", ReviewRulesTest::securityOnly, SAM, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deciders")
  void rolesAndTheSameTeamRuleDecideWhoDecides(Decider c) {
    ApprovalRules rules = rules(c.policy().apply(RequestPolicy.Approvals.defaults()));
    AccessRequest r = pending(rules);

    assertThat(rules.mayDecide(c.who(), r)).isEqualTo(c.may());
    // deciders see what they may decide; others only if they are security
    assertThat(rules.maySee(c.who(), r)).isEqualTo(c.may() || c.who().has(Role.SECURITY));
    for (Review.Verdict v : Review.Verdict.values()) {
      if (c.may()) {
        assertThat(rules.applyReview(r, c.who(), v, "checked the ticket", T1)).isNotNull();
      } else {
        RequestRejected e = refused(() -> rules.applyReview(r, c.who(), v, "checked the ticket", T1));
        assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN);
      }
    }
  }

  @Test
  void whoSeesWhat() {
    AccessRequest r = pending(RULES);
    assertThat(RULES.maySee(ALICE, r)).as("requester").isTrue();
    assertThat(RULES.maySee(staff("ALICE", Set.of(Role.AGENT)), r)).as("requester, other spelling").isTrue();
    assertThat(RULES.maySee(BOB, r)).as("another agent of the team").isFalse();
    assertThat(RULES.maySee(OMAR, r)).as("manager of another team").isFalse();
    assertThat(RULES.maySee(MARIA, r)).isTrue();
    // security sees everything, even where policy does not let it decide
    ApprovalRules managersOnly = rules(managersOnly(RequestPolicy.Approvals.defaults()));
    assertThat(managersOnly.mayDecide(SAM, r)).isFalse();
    assertThat(managersOnly.maySee(SAM, r)).isTrue();
    // someone who reviewed keeps seeing it after moving team
    AccessRequest denied = deny(RULES, r, MARIA, T1);
    Staff moved = staff("maria", Set.of(Role.MANAGER), "kyc");
    assertThat(RULES.mayDecide(moved, denied)).isFalse();
    assertThat(RULES.maySee(moved, denied)).isTrue();
  }

  // --------------------------------------------------------------------------- approvals

  @Test
  void oneManagerApprovalCompletesAPlainReadRequestAndNamesTheGrantTerms() {
    AccessRequest r = pending(RULES, "email");
    ReviewOutcome o = RULES.applyReview(r, MARIA, Review.Verdict.APPROVE, "  ticket checked  ", T1);

    assertThat(o).isInstanceOf(ReviewOutcome.Issue.class);
    ReviewOutcome.Issue issue = (ReviewOutcome.Issue) o;
    assertThat(issue.current()).isSameAs(r);
    GrantTerms t = issue.terms();
    assertThat(t.requestId()).isEqualTo("req-1");
    assertThat(t.agent()).isEqualTo("alice");
    assertThat(t.ticket()).isEqualTo("SUP-1234");
    assertThat(t.clients()).containsExactly("c-1001", "c-1002");
    assertThat(t.unmask()).containsExactly(FieldClass.EMAIL);
    assertThat(t.approvers()).containsExactly("maria");
    assertThat(t.approvedAt()).isEqualTo(T1);
    assertThat(t.ttl()).isEqualTo(Duration.ofMinutes(15));

    IssuedGrantRecord g = RequestFixtures.sign(t);
    AccessRequest approved = RULES.withGrant(issue, g);
    assertThat(approved.state()).isEqualTo(RequestState.APPROVED);
    assertThat(approved.grant()).contains(g);
    assertThat(approved.version()).isEqualTo(1);
    assertThat(approved.updatedAt()).isEqualTo(T1);
    assertThat(approved.reviews()).singleElement().satisfies(rv -> {
      assertThat(rv.reviewer()).isEqualTo("maria");
      assertThat(rv.verdict()).isEqualTo(Review.Verdict.APPROVE);
      assertThat(rv.comment()).isEqualTo("ticket checked");
      assertThat(rv.roles()).containsExactly(Role.MANAGER);
      assertThat(rv.at()).isEqualTo(T1);
    });
  }

  static Stream<FieldClass> sensitive() {
    return Stream.of(FieldClass.SSN, FieldClass.BANK, FieldClass.CARD, FieldClass.DOCUMENT);
  }

  @ParameterizedTest
  @MethodSource("sensitive")
  void sensitiveClassesNeedASecurityApproverHoweverManyManagersApprove(FieldClass c) {
    AccessRequest r = pending(RULES, c.code());
    Staff[] managers = {MARIA, MARK, LEAD, staff("m4", Set.of(Role.MANAGER), "payments")};
    long v = r.version();
    for (Staff m : managers) {
      r = approve(RULES, r, m, T1);
      assertThat(r.state()).as("after %s", m.id()).isEqualTo(RequestState.PENDING);
      assertThat(r.version()).isEqualTo(++v);
    }
    assertThat(r.approvals()).isEqualTo(4);
    assertThat(ApprovalRules.satisfied(r)).isFalse();

    r = approve(RULES, r, SAM, T2);
    assertThat(r.state()).isEqualTo(RequestState.APPROVED);
    assertThat(r.grant().orElseThrow().issuedAt()).isEqualTo(T2);
  }

  @ParameterizedTest
  @MethodSource("sensitive")
  void securityAloneSatisfiesASensitiveReadWithTheDefaultCount(FieldClass c) {
    assertThat(approve(RULES, pending(RULES, c.code()), SAM, T1).state()).isEqualTo(RequestState.APPROVED);
  }

  record Sequence(String name, List<Staff> approvers, RequestState end) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Sequence> writeSequences() {
    return Stream.of(
        new Sequence("one manager", List.of(MARIA), RequestState.PENDING),
        new Sequence("one security", List.of(SAM), RequestState.PENDING),
        new Sequence("two managers", List.of(MARIA, MARK), RequestState.PENDING),
        new Sequence("three managers", List.of(MARIA, MARK, LEAD), RequestState.PENDING),
        new Sequence("manager then security", List.of(MARIA, SAM), RequestState.APPROVED),
        new Sequence("security then manager", List.of(SAM, MARIA), RequestState.APPROVED),
        new Sequence("two security", List.of(SAM, SARA), RequestState.APPROVED),
        new Sequence("two managers then security", List.of(MARIA, MARK, SAM), RequestState.APPROVED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writeSequences")
  void writeNeedsTwoApprovalsIncludingSecurity(Sequence s) {
    AccessRequest r = pendingWrite(RULES);
    Instant t = T1;
    for (Staff who : s.approvers()) {
      r = approve(RULES, r, who, t);
      t = t.plusSeconds(1);
    }
    assertThat(r.state()).isEqualTo(s.end());
    assertThat(r.version()).isEqualTo(s.approvers().size());
    if (s.end() == RequestState.APPROVED) {
      assertThat(r.grant()).isPresent();
    }
  }

  @Test
  void anApproverCountsOnceWhateverTheSpelling() {
    RequestPolicy.Approvals two = new RequestPolicy.Approvals(2, EnumSet.of(Role.MANAGER, Role.SECURITY), true, Set.of(), 2, true);
    ApprovalRules rules = rules(two);
    AccessRequest r = approve(rules, pending(rules), MARIA, T1);
    assertThat(r.state()).isEqualTo(RequestState.PENDING);

    for (String again : List.of("maria", "Maria", " MARIA ", "\uFF4D\uFF41\uFF52\uFF49\uFF41")) {
      AccessRequest current = r;
      Staff same = staff(again, Set.of(Role.MANAGER), "payments");
      for (Review.Verdict v : Review.Verdict.values()) {
        RequestRejected e = refused(() -> rules.applyReview(current, same, v, "again", T2));
        assertThat(e.reason()).as(again).isEqualTo(Reason.CONFLICT);
        assertThat(e.getMessage()).contains("already reviewed");
      }
    }

    ReviewOutcome.Issue done = (ReviewOutcome.Issue) rules.applyReview(r, MARK, Review.Verdict.APPROVE, null, T2);
    assertThat(done.terms().approvers()).containsExactly("maria", "mark");
  }

  // ---------------------------------------------------------------------------- denials

  @Test
  void oneDenyEndsTheRequestAtOnceWithTheDeciderReason() {
    AccessRequest r = approve(RULES, pendingWrite(RULES), MARIA, T1);
    ReviewOutcome o = RULES.applyReview(r, SAM, Review.Verdict.DENY, " no write access for this ticket ", T2);

    AccessRequest denied = ((ReviewOutcome.Recorded) o).request();
    assertThat(denied.state()).isEqualTo(RequestState.DENIED);
    assertThat(denied.decisionReason()).contains("no write access for this ticket");
    assertThat(denied.grant()).isEmpty();
    assertThat(denied.version()).isEqualTo(2);
    assertThat(denied.updatedAt()).isEqualTo(T2);
    assertThat(denied.reviews()).extracting(Review::reviewer).containsExactly("maria", "sam");
  }

  @Test
  void aManagerMayDenyWhatOnlySecurityCouldApprove() {
    AccessRequest r = deny(RULES, pending(RULES, "ssn"), MARIA, T1);
    assertThat(r.state()).isEqualTo(RequestState.DENIED);
  }

  @Test
  void aDenyNeedsAReasonAndTextsAreChecked() {
    AccessRequest r = pending(RULES);
    for (String none : new String[] {null, "", "  "}) {
      RequestRejected e = refused(() -> RULES.applyReview(r, MARIA, Review.Verdict.DENY, none, T1));
      assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST);
      assertThat(e.field()).contains("reason");
    }
    RequestRejected tooLong = refused(() -> RULES.applyReview(r, MARIA, Review.Verdict.APPROVE, "x".repeat(501), T1));
    assertThat(tooLong.field()).contains("comment");
    RequestRejected control = refused(() -> RULES.applyReview(r, MARIA, Review.Verdict.DENY, "no\u0007", T1));
    assertThat(control.field()).contains("reason");
    // an approval needs no comment
    assertThat(RULES.applyReview(r, MARIA, Review.Verdict.APPROVE, null, T1)).isInstanceOf(ReviewOutcome.Issue.class);
  }

  // ------------------------------------------------------------------ final states, cancel

  record Final(String name, Function<AccessRequest, AccessRequest> reach, RequestState state) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Final> finals() {
    return Stream.of(
        new Final("approved", r -> approve(RULES, r, MARIA, T1), RequestState.APPROVED),
        new Final("denied", r -> deny(RULES, r, MARIA, T1), RequestState.DENIED),
        new Final("cancelled", r -> RULES.cancel(r, ALICE, T1), RequestState.CANCELLED),
        new Final("expired", r -> RULES.expireIfDue(r, r.pendingUntil()), RequestState.EXPIRED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("finals")
  void onlyAPendingRequestChanges(Final f) {
    AccessRequest r = f.reach().apply(pending(RULES));
    assertThat(r.state()).isEqualTo(f.state());
    assertThat(r.version()).isEqualTo(1);

    for (Staff decider : List.of(MARK, SAM)) {
      for (Review.Verdict v : Review.Verdict.values()) {
        RequestRejected e = refused(() -> RULES.applyReview(r, decider, v, "late review", T2));
        assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(e.getMessage()).contains("is " + f.state().code());
      }
    }
    assertThat(refused(() -> RULES.cancel(r, ALICE, T2)).reason()).isEqualTo(Reason.CONFLICT);
    assertThat(RULES.expireIfDue(r, T0.plus(Duration.ofDays(1)))).isSameAs(r);
  }

  @Test
  void onlyTheRequesterCancels() {
    AccessRequest r = pending(RULES);
    for (Staff other : List.of(BOB, MARIA, SAM, LEAD, staff("\u0430lice", Set.of(Role.AGENT)))) {
      RequestRejected e = refused(() -> RULES.cancel(r, other, T1));
      assertThat(e.reason()).as(other.id()).isEqualTo(Reason.FORBIDDEN);
    }
    AccessRequest cancelled = RULES.cancel(r, staff(" ALICE", Set.of()), T1);
    assertThat(cancelled.state()).isEqualTo(RequestState.CANCELLED);
    assertThat(cancelled.decisionReason()).contains("cancelled by the requester");
    assertThat(cancelled.version()).isEqualTo(1);
    assertThat(cancelled.updatedAt()).isEqualTo(T1);
  }

  @Test
  void aRequestWithOneApprovalCanStillBeCancelled() {
    AccessRequest r = approve(RULES, pendingWrite(RULES), MARIA, T1);
    AccessRequest c = RULES.cancel(r, ALICE, T2);
    assertThat(c.state()).isEqualTo(RequestState.CANCELLED);
    assertThat(c.version()).isEqualTo(2);
  }

  // ------------------------------------------------------------------------------ expiry

  @Test
  void aPendingRequestExpiresAfterThePendingTimeout() {
    AccessRequest r = pending(RULES);
    Instant deadline = T0.plus(Duration.ofMinutes(30));
    assertThat(r.pendingUntil()).isEqualTo(deadline);

    Instant justBefore = deadline.minusMillis(1);
    assertThat(RULES.expireIfDue(r, justBefore)).isSameAs(r);
    assertThat(approve(RULES, r, MARIA, justBefore).state()).isEqualTo(RequestState.APPROVED);

    for (Instant late : List.of(deadline, deadline.plusSeconds(3600))) {
      for (Review.Verdict v : Review.Verdict.values()) {
        RequestRejected e = refused(() -> RULES.applyReview(r, MARIA, v, "sorry, was out", late));
        assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(e.getMessage()).contains("is expired");
      }
      assertThat(refused(() -> RULES.cancel(r, ALICE, late)).reason()).isEqualTo(Reason.CONFLICT);

      AccessRequest expired = RULES.expireIfDue(r, late);
      assertThat(expired.state()).isEqualTo(RequestState.EXPIRED);
      assertThat(expired.version()).isEqualTo(r.version() + 1);
      assertThat(expired.updatedAt()).as("when it expired, whoever noticed").isEqualTo(deadline);
      assertThat(expired.decisionReason()).contains("no decision within 30 minutes");
    }
  }

  @Test
  void aPartlyApprovedRequestExpiresToo() {
    AccessRequest r = approve(RULES, pendingWrite(RULES), MARIA, T1);
    AccessRequest expired = RULES.expireIfDue(r, r.pendingUntil());
    assertThat(expired.state()).isEqualTo(RequestState.EXPIRED);
    assertThat(expired.reviews()).hasSize(1);
  }

  // --------------------------------------------------------------------------------- TTL

  @Test
  void theGrantLivesFromTheFinalApprovalNotFromTheRequest() {
    AccessRequest r = RULES.create(
        new io.airlock.policy.request.NewRequest("SUP-1", List.of("c-1"), "customer cannot log in", 20, null, List.of("write")),
        ALICE, "req-t", T0);
    Instant first = T0.plus(Duration.ofMinutes(5));
    Instant last = T0.plus(Duration.ofMinutes(25));
    r = approve(RULES, r, MARIA, first);
    ReviewOutcome.Issue issue = (ReviewOutcome.Issue) RULES.applyReview(r, SAM, Review.Verdict.APPROVE, null, last);

    assertThat(issue.terms().approvedAt()).isEqualTo(last);
    assertThat(issue.terms().expiresAt()).isEqualTo(last.plus(Duration.ofMinutes(20)));
    AccessRequest approved = RULES.withGrant(issue, RequestFixtures.sign(issue.terms()));
    assertThat(RULES.grantExpiry(approved)).isEqualTo(T0.plus(Duration.ofMinutes(45)));
  }

  @Test
  void theTtlIsCappedByThePolicyMaximumInForceAtApproval() {
    AccessRequest r = RULES.create(
        new NewRequest("SUP-1", List.of("c-1"), "customer cannot log in", 50, null, null), ALICE, "req-c", T0);
    // policy.yaml lowered maxTtl to 30m while the request waited
    ApprovalRules stricter = new ApprovalRules(new PolicyConfig(Duration.ofMinutes(15), Duration.ofMinutes(30)));
    ReviewOutcome.Issue issue = (ReviewOutcome.Issue) stricter.applyReview(r, MARIA, Review.Verdict.APPROVE, null, T1);

    assertThat(issue.terms().ttl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(stricter.grantExpiry(stricter.withGrant(issue, RequestFixtures.sign(issue.terms()))))
        .isEqualTo(T1.plus(Duration.ofMinutes(30)));
  }

  @Test
  void aGrantThatOutlivesTheApprovedTtlIsNeverAttached() {
    AccessRequest r = pending(RULES);
    ReviewOutcome.Issue issue = (ReviewOutcome.Issue) RULES.applyReview(r, MARIA, Review.Verdict.APPROVE, null, T1);
    GrantTerms t = issue.terms();
    IssuedGrantRecord tooLong = new IssuedGrantRecord("j", "tok", T1, T1.plus(t.ttl()).plusSeconds(1));
    IssuedGrantRecord backdated = new IssuedGrantRecord("j", "tok", T0, T0.plus(Duration.ofMinutes(1)));

    assertThatThrownBy(() -> RULES.withGrant(issue, tooLong)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RULES.withGrant(issue, backdated)).isInstanceOf(IllegalArgumentException.class);
  }

  // --------------------------------------------------------------------------- helpers

  static AccessRequest withRequester(AccessRequest r, String requester) {
    return new AccessRequest(r.id(), requester, r.requesterTeams(), r.ticket(), r.clients(), r.reason(),
        r.duration(), r.unmask(), r.actions(), r.state(), r.createdAt(), r.pendingUntil(),
        r.requiredApprovals(), r.securityApprovalRequired(), r.reviews(), r.decisionReason(), r.grant(),
        r.updatedAt(), r.version());
  }
}
