package io.airlock.policy.request;

import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.RequestPolicy;
import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.airlock.policy.staff.StaffId;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The access-request state machine: validation of a new request, who may decide it, what a
 * review, a cancel or the passing of time does to it. Pure: no I/O, no clock of its own (every
 * transition takes {@code now}), and every transition returns a new value with {@code version}
 * one higher, so a store can compare-and-swap it.
 *
 * <p>Rules, in the order they are checked for a review: the reviewer's id must normalise (a
 * look-alike or otherwise unacceptable id decides nothing); nobody reviews their own request,
 * compared on normalised ids; the reviewer needs an approver role, and a manager (without
 * security) must share a team with the requester when {@code sameTeam} is on; then the request
 * must still be pending (expiry counts) and the reviewer must not have reviewed it before. One
 * deny ends the request. It is approved once it has {@code requiredApprovals} distinct approvers
 * and, where {@code securityApprovalRequired}, at least one of them is security: approvals by
 * managers alone never complete a request that needs security, however many there are.
 *
 * <p>Callers should pass every request they read through {@link #expireIfDue} (and store the
 * result when it changed), so that an overdue request reads as expired everywhere.
 */
public final class ApprovalRules {
  // bounds the input any pattern (possibly an operator's own) is run on
  static final int MAX_ID_INPUT = 128;

  private final PolicyConfig policy;
  private final RequestPolicy requests;
  private final RequestPolicy.Approvals approvals;
  private final Pattern ticketPattern;
  private final Pattern clientPattern;

  public ApprovalRules(PolicyConfig policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.requests = policy.requests();
    this.approvals = requests.approvals();
    this.ticketPattern = Pattern.compile(requests.ticketPattern());
    this.clientPattern = Pattern.compile(requests.clientPattern());
  }

  public PolicyConfig policy() {
    return policy;
  }

  // ---------------------------------------------------------------------------------- create

  /**
   * Validates what an agent posted and returns the new pending request (version 0).
   *
   * <p>400s come before 422s: every field is first checked for form (missing, malformed,
   * unknown, listed twice), then against policy limits (no clients, too many clients, duration
   * over the maximum, no actions). A list naming the same item twice is refused rather than
   * de-duplicated, so what the approver sees is exactly what the agent sent.
   *
   * @param id the new request's id, chosen by the caller
   * @throws RequestRejected FORBIDDEN unless the requester is an agent with a valid id,
   *     BAD_REQUEST or POLICY_VIOLATION naming the field
   */
  public AccessRequest create(NewRequest in, Staff requester, String id, Instant now) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(now, "now");
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a request id is required");
    }
    String agent =
        StaffId.normalize(requester.id())
            .orElseThrow(() -> RequestRejected.forbidden("your staff id is not acceptable"));
    if (!requester.has(Role.AGENT)) {
      throw RequestRejected.forbidden("only agents request access");
    }

    String ticket = ticket(in.ticket());
    List<String> clients = clients(in.clients());
    String reason =
        text("reason", in.reason(), requests.reasonMinLength(), requests.reasonMaxLength(), true);
    Integer minutes = in.durationMinutes();
    if (minutes != null && minutes <= 0) {
      throw RequestRejected.invalid("durationMinutes", "must be a positive number of minutes");
    }
    Set<FieldClass> unmask = unmask(in.unmask());
    Set<Action> actions = actions(in.actions());

    if (clients.isEmpty()) {
      throw RequestRejected.policyViolation("clients", "name at least one client");
    }
    if (clients.size() > requests.maxClients()) {
      throw RequestRejected.policyViolation(
          "clients",
          clients.size() + " clients requested, policy allows at most " + requests.maxClients());
    }
    Duration duration =
        minutes == null ? policy.defaultGrantTtl() : Duration.ofMinutes(minutes.longValue());
    if (duration.compareTo(policy.maxGrantTtl()) > 0) {
      throw RequestRejected.policyViolation(
          "durationMinutes",
          minutes + " minutes requested, policy allows at most " + policy.maxGrantTtl().toMinutes());
    }
    if (actions.isEmpty()) {
      throw RequestRejected.policyViolation("actions", "name at least one action");
    }

    boolean write = actions.contains(Action.WRITE);
    int required = write ? Math.max(approvals.required(), approvals.writeRequired()) : approvals.required();
    boolean needsSecurity =
        (write && approvals.writeSecurityRequired())
            || unmask.stream().anyMatch(approvals.sensitiveClasses()::contains);

    return new AccessRequest(
        id,
        agent,
        requester.teams(),
        ticket,
        clients,
        reason,
        duration,
        unmask,
        actions,
        RequestState.PENDING,
        now,
        now.plus(requests.pendingTimeout()),
        required,
        needsSecurity,
        List.of(),
        Optional.empty(),
        Optional.empty(),
        now,
        0);
  }

  private String ticket(String raw) {
    if (raw == null) {
      throw RequestRejected.invalid("ticket", "required: the ticket id, e.g. SUP-1234");
    }
    if (raw.length() > MAX_ID_INPUT || !ticketPattern.matcher(raw).matches()) {
      throw RequestRejected.invalid(
          "ticket", "'" + shorten(raw) + "' is not a ticket id (expected " + requests.ticketPattern() + ")");
    }
    return raw;
  }

  private List<String> clients(List<String> raw) {
    if (raw == null) {
      throw RequestRejected.invalid("clients", "required: a list of client ids");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      String c = raw.get(i);
      if (c == null || c.length() > MAX_ID_INPUT || !clientPattern.matcher(c).matches()) {
        throw RequestRejected.invalid(
            "clients",
            "clients[" + i + "] "
                + (c == null ? "is null" : "'" + shorten(c) + "' is not a client id")
                + " (expected " + requests.clientPattern() + ")");
      }
      if (!seen.add(c)) {
        throw RequestRejected.invalid("clients", "clients[" + i + "] '" + c + "' is listed twice");
      }
    }
    return List.copyOf(seen);
  }

  private static Set<FieldClass> unmask(List<String> raw) {
    if (raw == null) {
      return Set.of();
    }
    Set<FieldClass> out = EnumSet.noneOf(FieldClass.class);
    for (int i = 0; i < raw.size(); i++) {
      String code = raw.get(i);
      // exact codes only: what the approver reads must be what the agent wrote
      Optional<FieldClass> fc = FieldClass.parse(code).filter(f -> f.code().equals(code));
      if (fc.isEmpty()) {
        throw RequestRejected.invalid(
            "unmask",
            "unmask[" + i + "] " + quoted(code) + " is not a field class (known: "
                + Arrays.stream(FieldClass.values())
                    .filter(f -> f != FieldClass.SECRET)
                    .map(FieldClass::code)
                    .collect(Collectors.joining(", "))
                + ")");
      }
      if (fc.get() == FieldClass.SECRET) {
        throw RequestRejected.invalid("unmask", "unmask[" + i + "] secret is never shown in clear");
      }
      if (!out.add(fc.get())) {
        throw RequestRejected.invalid("unmask", "unmask[" + i + "] '" + code + "' is listed twice");
      }
    }
    return out;
  }

  private static Set<Action> actions(List<String> raw) {
    if (raw == null) {
      return EnumSet.of(Action.READ);
    }
    Set<Action> out = EnumSet.noneOf(Action.class);
    for (int i = 0; i < raw.size(); i++) {
      String code = raw.get(i);
      Optional<Action> a = Action.parse(code);
      if (a.isEmpty()) {
        throw RequestRejected.invalid(
            "actions", "actions[" + i + "] " + quoted(code) + " is not an action (known: read, write)");
      }
      if (!out.add(a.get())) {
        throw RequestRejected.invalid("actions", "actions[" + i + "] '" + code + "' is listed twice");
      }
    }
    return out;
  }

  /**
   * A free text a person reads when deciding: trimmed, length in code points, no control
   * characters but newline and tab, and no bidi overrides (which can make a text display as
   * something other than what it says).
   */
  private static String text(String field, String raw, int min, int max, boolean required) {
    if (raw == null || raw.isBlank()) {
      if (required) {
        throw RequestRejected.invalid(field, "required");
      }
      return "";
    }
    String s = raw.strip();
    int n = s.codePointCount(0, s.length());
    if (n < min) {
      throw RequestRejected.invalid(field, "too short: " + n + " characters, at least " + min);
    }
    if (n > max) {
      throw RequestRejected.invalid(field, "too long: " + n + " characters, at most " + max);
    }
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      boolean control = Character.getType(cp) == Character.CONTROL && cp != '\n' && cp != '\t';
      boolean bidi = (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
      if (control || bidi) {
        throw RequestRejected.invalid(
            field, String.format("contains the control character U+%04X", cp));
      }
      i += Character.charCount(cp);
    }
    return s;
  }

  // --------------------------------------------------------------------------------- deciders

  /**
   * Whether {@code staff} may approve or deny {@code request} at all (its state aside): a valid
   * id that is not the requester's, an approver role, and for a manager without the security
   * role, a shared team when {@code sameTeam} is on.
   */
  public boolean mayDecide(Staff staff, AccessRequest request) {
    return deciderRefusal(staff, request).isEmpty();
  }

  private Optional<String> deciderRefusal(Staff staff, AccessRequest request) {
    Optional<String> who = StaffId.normalize(staff.id());
    if (who.isEmpty()) {
      return Optional.of("your staff id is not acceptable");
    }
    if (isRequester(who.get(), request)) {
      return Optional.of("nobody reviews their own request");
    }
    if (staff.has(Role.SECURITY) && approvals.approverRoles().contains(Role.SECURITY)) {
      // security works across teams: the same-team rule binds managers only
      return Optional.empty();
    }
    if (staff.has(Role.MANAGER) && approvals.approverRoles().contains(Role.MANAGER)) {
      if (approvals.sameTeam() && !staff.sharesTeamWith(request.requesterTeams())) {
        return Optional.of("managers decide requests of their own team(s) only");
      }
      return Optional.empty();
    }
    return Optional.of(
        "deciding requests needs one of the roles "
            + approvals.approverRoles().stream().map(Role::code).sorted().collect(Collectors.joining(", ")));
  }

  /**
   * Whether {@code staff} may read {@code request}: the requester, whoever may decide it or
   * already reviewed it, and security (which sees everything, approver role or not).
   */
  public boolean maySee(Staff staff, AccessRequest request) {
    Optional<String> who = StaffId.normalize(staff.id());
    if (who.isEmpty()) {
      return false;
    }
    if (isRequester(who.get(), request) || staff.has(Role.SECURITY) || mayDecide(staff, request)) {
      return true;
    }
    return request.reviews().stream().anyMatch(r -> sameId(r.reviewer(), who.get()));
  }

  // ------------------------------------------------------------------------------ transitions

  /**
   * One approve or deny.
   *
   * @param comment the approver's comment (optional) or the deny reason (required); the field
   *     named in a 400 is {@code comment} or {@code reason} accordingly
   * @throws RequestRejected FORBIDDEN for a reviewer who may not decide it (see {@link
   *     #mayDecide}), BAD_REQUEST for the text, CONFLICT if the request is no longer pending
   *     (or is overdue) or this reviewer already reviewed it
   */
  public ReviewOutcome applyReview(
      AccessRequest request, Staff reviewer, Review.Verdict verdict, String comment, Instant now) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(reviewer, "reviewer");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(now, "now");
    Optional<String> refusal = deciderRefusal(reviewer, request);
    if (refusal.isPresent()) {
      throw RequestRejected.forbidden(refusal.get());
    }
    String who = StaffId.normalize(reviewer.id()).orElseThrow();
    boolean deny = verdict == Review.Verdict.DENY;
    String text = text(deny ? "reason" : "comment", comment, 1, requests.reasonMaxLength(), deny);
    requirePending(request, now);
    if (request.reviews().stream().anyMatch(r -> sameId(r.reviewer(), who))) {
      throw RequestRejected.conflict("you already reviewed this request");
    }

    Review review = new Review(who, reviewer.roles(), reviewer.teams(), verdict, text, now);
    List<Review> reviews = new ArrayList<>(request.reviews());
    reviews.add(review);
    if (deny) {
      return new ReviewOutcome.Recorded(
          next(request, RequestState.DENIED, reviews, Optional.of(text), Optional.empty(), now));
    }
    if (!satisfied(request.requiredApprovals(), request.securityApprovalRequired(), reviews)) {
      return new ReviewOutcome.Recorded(
          next(request, RequestState.PENDING, reviews, Optional.empty(), Optional.empty(), now));
    }
    GrantTerms terms =
        new GrantTerms(
            request.id(),
            request.requester(),
            request.ticket(),
            request.clients(),
            request.actions(),
            request.unmask(),
            approvers(reviews),
            now,
            grantTtl(request));
    return new ReviewOutcome.Issue(request, review, terms);
  }

  /**
   * The approved request, carrying the grant the caller signed for {@code issue.terms()}.
   *
   * @throws IllegalArgumentException if the grant outlives the approved TTL or predates the
   *     approval (a caller bug, never a user error)
   */
  public AccessRequest withGrant(ReviewOutcome.Issue issue, IssuedGrantRecord grant) {
    Objects.requireNonNull(issue, "issue");
    Objects.requireNonNull(grant, "grant");
    GrantTerms terms = issue.terms();
    // signers keep whole seconds (JWT NumericDate), so iat may be the approval second, truncated
    if (grant.issuedAt().isBefore(terms.approvedAt().truncatedTo(ChronoUnit.SECONDS))) {
      throw new IllegalArgumentException("grant issued before the request was approved");
    }
    if (!grant.expiresAt().isAfter(grant.issuedAt())
        || Duration.between(grant.issuedAt(), grant.expiresAt()).compareTo(terms.ttl()) > 0) {
      throw new IllegalArgumentException(
          "grant lifetime must be positive and at most the approved " + terms.ttl());
    }
    List<Review> reviews = new ArrayList<>(issue.current().reviews());
    reviews.add(issue.finalReview());
    return next(
        issue.current(),
        RequestState.APPROVED,
        reviews,
        Optional.empty(),
        Optional.of(grant),
        issue.finalReview().at());
  }

  /**
   * The requester withdraws a pending request.
   *
   * @throws RequestRejected FORBIDDEN for anyone but the requester, CONFLICT if not pending
   */
  public AccessRequest cancel(AccessRequest request, Staff who, Instant now) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(who, "who");
    Objects.requireNonNull(now, "now");
    Optional<String> id = StaffId.normalize(who.id());
    if (id.isEmpty() || !isRequester(id.get(), request)) {
      throw RequestRejected.forbidden("only the requester cancels a request");
    }
    requirePending(request, now);
    return next(
        request,
        RequestState.CANCELLED,
        request.reviews(),
        Optional.of("cancelled by the requester"),
        Optional.empty(),
        now);
  }

  /**
   * The request, expired if it is pending and its decision window has closed; otherwise the
   * very same value (compare with {@code ==} to know whether to store it). The expired value's
   * {@code updatedAt} is the deadline itself, not {@code now}: that is when it expired, and any
   * two nodes that notice it compute the identical value.
   */
  public AccessRequest expireIfDue(AccessRequest request, Instant now) {
    if (request.state() != RequestState.PENDING || now.isBefore(request.pendingUntil())) {
      return request;
    }
    return next(
        request,
        RequestState.EXPIRED,
        request.reviews(),
        Optional.of("no decision within " + Duration.between(request.createdAt(), request.pendingUntil()).toMinutes() + " minutes"),
        Optional.empty(),
        request.pendingUntil());
  }

  // ---------------------------------------------------------------------------------- grants

  /** The grant lifetime: the requested duration, capped by the policy maximum now in force. */
  public Duration grantTtl(AccessRequest request) {
    Duration d = request.duration();
    return d.compareTo(policy.maxGrantTtl()) > 0 ? policy.maxGrantTtl() : d;
  }

  /**
   * The latest expiry of an approved request's grant: the final approval plus {@link #grantTtl}.
   */
  public Instant grantExpiry(AccessRequest approved) {
    if (approved.state() != RequestState.APPROVED || approved.reviews().isEmpty()) {
      throw new IllegalArgumentException("request " + approved.id() + " is not approved");
    }
    // the approval that completed a request is its last review: nothing is added after it
    Instant finalApproval = approved.reviews().get(approved.reviews().size() - 1).at();
    return finalApproval.plus(grantTtl(approved));
  }

  /**
   * Whether these reviews satisfy a request's approval requirement: enough distinct approvers
   * and, if required, a security one among them.
   */
  public static boolean satisfied(AccessRequest request) {
    return satisfied(request.requiredApprovals(), request.securityApprovalRequired(), request.reviews());
  }

  private static boolean satisfied(int required, boolean needsSecurity, List<Review> reviews) {
    Set<String> approvers = new HashSet<>();
    boolean security = false;
    for (Review r : reviews) {
      if (r.verdict() == Review.Verdict.APPROVE) {
        approvers.add(StaffId.normalize(r.reviewer()).orElse(r.reviewer()));
        security |= r.roles().contains(Role.SECURITY);
      }
    }
    return approvers.size() >= required && (!needsSecurity || security);
  }

  private static List<String> approvers(List<Review> reviews) {
    return reviews.stream()
        .filter(r -> r.verdict() == Review.Verdict.APPROVE)
        .map(Review::reviewer)
        .distinct()
        .toList();
  }

  // --------------------------------------------------------------------------------- helpers

  private void requirePending(AccessRequest request, Instant now) {
    AccessRequest current = expireIfDue(request, now);
    if (current.state() != RequestState.PENDING) {
      throw RequestRejected.conflict("request " + request.id() + " is " + current.state().code());
    }
  }

  private static boolean isRequester(String normalizedId, AccessRequest request) {
    return sameId(request.requester(), normalizedId);
  }

  // stored ids are normalised already; normalising again costs little and keeps a record
  // written by an older or foreign writer from slipping past the comparison
  private static boolean sameId(String stored, String normalizedId) {
    return StaffId.normalize(stored).orElse(stored).equals(normalizedId);
  }

  private static AccessRequest next(
      AccessRequest r,
      RequestState state,
      List<Review> reviews,
      Optional<String> decisionReason,
      Optional<IssuedGrantRecord> grant,
      Instant updatedAt) {
    return new AccessRequest(
        r.id(),
        r.requester(),
        r.requesterTeams(),
        r.ticket(),
        r.clients(),
        r.reason(),
        r.duration(),
        r.unmask(),
        r.actions(),
        state,
        r.createdAt(),
        r.pendingUntil(),
        r.requiredApprovals(),
        r.securityApprovalRequired(),
        reviews,
        decisionReason,
        grant,
        updatedAt,
        r.version() + 1);
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static String quoted(String s) {
    return s == null ? "null" : "'" + shorten(s) + "'";
  }
}
