package io.airlock.policy.request;

import static io.airlock.policy.request.RequestFixtures.ALICE;
import static io.airlock.policy.request.RequestFixtures.LEAD;
import static io.airlock.policy.request.RequestFixtures.MARIA;
import static io.airlock.policy.request.RequestFixtures.RULES;
import static io.airlock.policy.request.RequestFixtures.SAM;
import static io.airlock.policy.request.RequestFixtures.T0;
import static io.airlock.policy.request.RequestFixtures.staff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What an agent may post: every field's form (400) and every policy limit (422). */
class CreateRequestTest {

  static final NewRequest VALID =
      new NewRequest("SUP-1234", List.of("c-1001"), "customer cannot log in", null, List.of("email"), null);

  /** One change to a valid request and how it must be refused (null reason: accepted). */
  record Case(String name, UnaryOperator<NewRequest> change, Reason reason, String field, String fragment) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case ok(String name, UnaryOperator<NewRequest> change) {
    return new Case(name, change, null, null, null);
  }

  static Case bad(String name, UnaryOperator<NewRequest> change, String field, String fragment) {
    return new Case(name, change, Reason.BAD_REQUEST, field, fragment);
  }

  static Case over(String name, UnaryOperator<NewRequest> change, String field, String fragment) {
    return new Case(name, change, Reason.POLICY_VIOLATION, field, fragment);
  }

  static UnaryOperator<NewRequest> ticket(String t) {
    return r -> new NewRequest(t, r.clients(), r.reason(), r.durationMinutes(), r.unmask(), r.actions());
  }

  static UnaryOperator<NewRequest> clients(List<String> c) {
    return r -> new NewRequest(r.ticket(), c, r.reason(), r.durationMinutes(), r.unmask(), r.actions());
  }

  static UnaryOperator<NewRequest> reason(String s) {
    return r -> new NewRequest(r.ticket(), r.clients(), s, r.durationMinutes(), r.unmask(), r.actions());
  }

  static UnaryOperator<NewRequest> minutes(Integer m) {
    return r -> new NewRequest(r.ticket(), r.clients(), r.reason(), m, r.unmask(), r.actions());
  }

  static UnaryOperator<NewRequest> unmask(List<String> u) {
    return r -> new NewRequest(r.ticket(), r.clients(), r.reason(), r.durationMinutes(), u, r.actions());
  }

  static UnaryOperator<NewRequest> actions(List<String> a) {
    return r -> new NewRequest(r.ticket(), r.clients(), r.reason(), r.durationMinutes(), r.unmask(), a);
  }

  static List<String> nClients(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> "c-" + i).toList();
  }

  static List<String> withNull(String... items) {
    return new ArrayList<>(Arrays.asList(items));
  }

  static Stream<Case> cases() {
    return Stream.of(
        ok("valid as is", r -> r),
        // ticket format
        ok("short project key", ticket("AB-1")),
        ok("digits in the project key", ticket("OPS2-987654321")),
        bad("no ticket", ticket(null), "ticket", "required"),
        bad("lower-case ticket", ticket("sup-1234"), "ticket", "is not a ticket id"),
        bad("ticket without dash", ticket("SUP1234"), "ticket", "is not a ticket id"),
        bad("one-letter key", ticket("S-1"), "ticket", "is not a ticket id"),
        bad("key over 10 characters", ticket("ABCDEFGHIJK-1"), "ticket", "is not a ticket id"),
        bad("number over 9 digits", ticket("SUP-1234567890"), "ticket", "is not a ticket id"),
        bad("leading blank", ticket(" SUP-1234"), "ticket", "is not a ticket id"),
        bad("trailing newline", ticket("SUP-1234\n"), "ticket", "is not a ticket id"),
        bad("full-width digits", ticket("SUP-１２３４"), "ticket", "is not a ticket id"),
        bad("huge ticket", ticket("SUP-" + "1".repeat(100_000)), "ticket", "is not a ticket id"),
        // clients: 1..N, well-formed, each once
        ok("ten clients", clients(nClients(10))),
        over("eleven clients", clients(nClients(11)), "clients", "at most 10"),
        over("no clients", clients(List.of()), "clients", "at least one client"),
        bad("clients missing", clients(null), "clients", "required"),
        bad("null client", clients(withNull("c-1", null)), "clients", "clients[1] is null"),
        bad("client with a slash", clients(List.of("c-1", "../c-2")), "clients", "clients[1] '../c-2' is not a client id"),
        bad("client with a space", clients(List.of("c 1")), "clients", "is not a client id"),
        bad("client over 64 characters", clients(List.of("c".repeat(65))), "clients", "is not a client id"),
        bad("empty client id", clients(List.of("")), "clients", "is not a client id"),
        bad("same client twice", clients(List.of("c-1", "c-2", "c-1")), "clients", "clients[2] 'c-1' is listed twice"),
        ok("client ids are case-sensitive, as on the data plane", clients(List.of("c-1", "C-1"))),
        // reason length (code points, trimmed) and content
        bad("no reason", reason(null), "reason", "required"),
        bad("blank reason", reason("   \n "), "reason", "required"),
        bad("nine characters", reason("123456789"), "reason", "too short: 9 characters, at least 10"),
        bad("ten once trimmed to nine", reason("  123456789  "), "reason", "too short"),
        ok("ten characters", reason("1234567890")),
        ok("ten astral characters count as ten", reason("😀".repeat(10))),
        ok("500 characters", reason("x".repeat(500))),
        bad("501 characters", reason("x".repeat(501)), "reason", "too long: 501 characters, at most 500"),
        ok("multi-line reason", reason("line one\nline two\tok")),
        bad("escape character", reason("customer \u001b[2J cannot log in"), "reason", "U+001B"),
        bad("bidi override", reason("customer \u202Eni gol tonnac"), "reason", "U+202E"),
        // duration
        ok("60 minutes is the maximum", minutes(60)),
        over("61 minutes", minutes(61), "durationMinutes", "at most 60"),
        over("a day", minutes(24 * 60), "durationMinutes", "at most 60"),
        bad("zero minutes", minutes(0), "durationMinutes", "positive"),
        bad("negative minutes", minutes(-5), "durationMinutes", "positive"),
        // unmask
        ok("no unmask", unmask(null)),
        ok("empty unmask", unmask(List.of())),
        ok("every grantable class", unmask(List.of("ssn", "email", "phone", "address", "dob", "bank", "card", "document"))),
        bad("secret", unmask(List.of("email", "secret")), "unmask", "unmask[1] secret is never shown in clear"),
        bad("unknown class", unmask(List.of("passport")), "unmask", "unmask[0] 'passport' is not a field class"),
        bad("upper-case class", unmask(List.of("EMAIL")), "unmask", "is not a field class"),
        bad("null class", unmask(withNull((String) null)), "unmask", "unmask[0] null is not a field class"),
        bad("class twice", unmask(List.of("email", "email")), "unmask", "listed twice"),
        // actions
        ok("read and write", actions(List.of("read", "write"))),
        bad("unknown action", actions(List.of("read", "delete")), "actions", "actions[1] 'delete' is not an action"),
        bad("upper-case action", actions(List.of("READ")), "actions", "is not an action"),
        bad("action twice", actions(List.of("read", "read")), "actions", "listed twice"),
        over("no actions", actions(List.of()), "actions", "at least one action"),
        // 400 before 422: the body's form is checked in full before any limit
        bad("malformed ticket and too long", r -> ticket("x").apply(minutes(90).apply(r)), "ticket", "is not a ticket id"),
        bad("too many clients and a bad action", r -> clients(nClients(11)).apply(actions(List.of("x")).apply(r)), "actions", "is not an action"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void validatesEachField(Case c) {
    NewRequest in = c.change().apply(VALID);
    if (c.reason() == null) {
      AccessRequest r = RULES.create(in, ALICE, "req-1", T0);
      assertThat(r.state()).isEqualTo(RequestState.PENDING);
      return;
    }
    RequestRejected e = catchThrowableOfType(RequestRejected.class, () -> RULES.create(in, ALICE, "req-1", T0));
    assertThat(e).as("%s must be refused", c.name()).isNotNull();
    assertThat(e.reason()).isEqualTo(c.reason());
    assertThat(e.field()).contains(c.field());
    assertThat(e.getMessage()).contains(c.fragment());
  }

  static Stream<Staff> notAgents() {
    return Stream.of(
        MARIA,
        SAM,
        staff("nobody", Set.of(), "payments"),
        // an agent whose id cannot be normalised (Cyrillic 'а') is nobody the rules can compare
        staff("\u0430lice", Set.of(Role.AGENT), "payments"));
  }

  @ParameterizedTest
  @MethodSource("notAgents")
  void onlyAgentsWithAValidIdRequest(Staff who) {
    RequestRejected e = catchThrowableOfType(RequestRejected.class, () -> RULES.create(VALID, who, "req-1", T0));
    assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN);
    assertThat(e.field()).isEmpty();
  }

  @Test
  void aNewRequestIsPendingWithThePolicysRequirementsFixedIn() {
    AccessRequest r = RULES.create(VALID, staff(" Alice ", Set.of(Role.AGENT), "payments"), "req-1", T0);

    assertThat(r.requester()).as("stored normalised").isEqualTo("alice");
    assertThat(r.requesterTeams()).containsExactly("payments");
    assertThat(r.state()).isEqualTo(RequestState.PENDING);
    assertThat(r.version()).isZero();
    assertThat(r.createdAt()).isEqualTo(T0);
    assertThat(r.updatedAt()).isEqualTo(T0);
    assertThat(r.pendingUntil()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
    assertThat(r.duration()).as("default grant TTL").isEqualTo(Duration.ofMinutes(15));
    assertThat(r.actions()).containsExactly(Action.READ);
    assertThat(r.unmask()).containsExactly(FieldClass.EMAIL);
    assertThat(r.requiredApprovals()).isEqualTo(1);
    assertThat(r.securityApprovalRequired()).isFalse();
    assertThat(r.reviews()).isEmpty();
    assertThat(r.grant()).isEmpty();
  }

  @Test
  void keepsClientOrderAndTrimsTheReason() {
    AccessRequest r =
        RULES.create(
            new NewRequest("SUP-1", List.of("c-9", "c-1", "c-5"), "  customer cannot log in \n", 45, null, null),
            LEAD,
            "req-2",
            T0);
    assertThat(r.clients()).containsExactly("c-9", "c-1", "c-5");
    assertThat(r.reason()).isEqualTo("customer cannot log in");
    assertThat(r.duration()).isEqualTo(Duration.ofMinutes(45));
    assertThat(r.unmask()).isEmpty();
  }

  record Requirement(String name, List<String> unmask, List<String> actions, int approvals, boolean security) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Requirement> requirements() {
    return Stream.of(
        new Requirement("masked read", List.of(), null, 1, false),
        new Requirement("email, phone, address, dob", List.of("email", "phone", "address", "dob"), null, 1, false),
        new Requirement("ssn", List.of("ssn"), null, 1, true),
        new Requirement("bank", List.of("bank"), null, 1, true),
        new Requirement("card", List.of("card"), null, 1, true),
        new Requirement("document", List.of("email", "document"), null, 1, true),
        new Requirement("write", List.of(), List.of("read", "write"), 2, true),
        new Requirement("write only", List.of(), List.of("write"), 2, true),
        new Requirement("write and ssn", List.of("ssn"), List.of("write"), 2, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requirements")
  void sensitiveClassesAndWriteRaiseTheBar(Requirement c) {
    AccessRequest r = RULES.create(RequestFixtures.newRequest(c.unmask(), c.actions()), ALICE, "req-1", T0);
    assertThat(r.requiredApprovals()).isEqualTo(c.approvals());
    assertThat(r.securityApprovalRequired()).isEqualTo(c.security());
  }
}
