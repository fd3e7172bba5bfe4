package io.airlock.policy.decision;

import java.util.Objects;

/**
 * A refusal with its reason and a message a human can act on. Thrown (or used to fail a
 * future) by pipeline stages; carries no stack trace because it is a decision, not a bug.
 */
public final class Denied extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Reason reason;

  public Denied(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
