package io.airlock.policy.request;

import io.airlock.policy.decision.Reason;
import java.util.Objects;
import java.util.Optional;

/**
 * Why {@link ApprovalRules} refused a request or a transition. Transport-free: the reason is one
 * of {@link Reason#BAD_REQUEST} (400, always with {@link #field()}), {@link Reason#FORBIDDEN}
 * (403), {@link Reason#NOT_FOUND} (404, for callers that look requests up), {@link
 * Reason#CONFLICT} (409) or {@link Reason#POLICY_VIOLATION} (422, with the field
 * that asked for too much). No stack trace: it is a decision, not a bug.
 */
public final class RequestRejected extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Reason reason;
  private final String field;

  private RequestRejected(Reason reason, String field, String message) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.field = field;
  }

  /** A field is missing, malformed, or names something unknown. */
  public static RequestRejected invalid(String field, String message) {
    return new RequestRejected(Reason.BAD_REQUEST, Objects.requireNonNull(field, "field"), message);
  }

  /** Well-formed, but more (or less) than policy allows. */
  public static RequestRejected policyViolation(String field, String message) {
    return new RequestRejected(Reason.POLICY_VIOLATION, Objects.requireNonNull(field, "field"), message);
  }

  /** This person may not do this, whatever state the request is in. */
  public static RequestRejected forbidden(String message) {
    return new RequestRejected(Reason.FORBIDDEN, null, message);
  }

  /** Allowed in general, but not in the request's current state. */
  public static RequestRejected conflict(String message) {
    return new RequestRejected(Reason.CONFLICT, null, message);
  }

  /** No such request, or one the caller may not see (so its existence is not disclosed). */
  public static RequestRejected notFound(String message) {
    return new RequestRejected(Reason.NOT_FOUND, null, message);
  }

  public Reason reason() {
    return reason;
  }

  /** The body field at fault (API names: {@code ticket}, {@code clients}, ...), if one is. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
