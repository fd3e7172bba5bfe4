package io.airlock.gateway.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting on something no event tells us about (another process, a file, a reconnect): check,
 * wait one short step, check again, fail at the deadline. The one place tests pause.
 */
public final class Poll {
  private static final long STEP_MILLIS = 10;

  private Poll() {}

  /** Returns once {@code condition} holds; an AssertionError naming {@code what} at the deadline. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      }
      step();
    }
  }

  /** One step of a deadline loop that checks its own deadline. */
  public static void step() {
    try {
      Thread.sleep(STEP_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
