package io.airlock.policy.port;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Short-lived, single-use records of browser sign-in: a sign-in waiting for the identity
 * provider's answer (by its {@code state}) and a finished sign-in waiting for the UI to collect it
 * (by its hand-off id). In process on a single node; in Redis when nodes share one, so the round
 * trip may start, return and be collected on different nodes behind a load balancer.
 *
 * <p>Values are opaque to the store. Each id is written once and read destructively once: {@link
 * #take} is atomic, so of two nodes racing for the same id exactly one gets the record, and a
 * replayed state or hand-off id finds nothing.
 */
public interface SignInStore {
  /** The two kinds of record, kept apart (an id of one kind never finds a record of the other). */
  enum Kind {
    /** Between login and callback: what the callback needs to finish the sign-in. */
    PENDING_SIGN_IN,
    /** Between callback and the UI collecting it: the outcome, possibly a verified ID token. */
    HANDOFF
  }

  /**
   * Keeps {@code value} under {@code id} for {@code ttl}, unless a record of that kind and id is
   * already held: then nothing changes and the answer is {@code false}. Ids are random, so a
   * refusal means a collision or a bug, never a case to overwrite. A store with a bound fails the
   * answer with {@link Full} rather than drop a record it holds before its ttl.
   */
  CompletionStage<Boolean> putNew(Kind kind, String id, String value, Duration ttl);

  /** The record, left in place; empty when unknown, expired or already taken. */
  CompletionStage<Optional<String>> peek(Kind kind, String id);

  /** The record, removed in the same step; empty when unknown, expired or already taken. */
  CompletionStage<Optional<String>> take(Kind kind, String id);

  /**
   * The store holds as many records of this kind as it may: the new one is refused, and every
   * record already held stays until its ttl (a flood cannot push out a sign-in in progress).
   */
  final class Full extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public Full(Kind kind, long held) {
      super("the sign-in store is full (" + held + " " + kind + " records held)");
    }
  }
}
