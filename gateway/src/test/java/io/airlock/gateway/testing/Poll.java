package io.airlock.gateway.testing;

import java.time.Duration;

/**
 * Waiting on something no event tells us about (another process, a file, a reconnect): check,
 * wait one short step, check again, fail at the deadline. The one place tests pause.
 */
public final class Poll {
  private static final long STEP_MILLIS = 10;

  private Poll() {}

  /** A check that may do I/O (an HTTP request, a file read); what it throws fails the wait. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** Returns once {@code condition} holds; an AssertionError naming {@code what} at the deadline. */
  public static void until(String what, Duration timeout, Condition condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!holds(condition)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      }
      step();
    }
  }

  private static boolean holds(Condition condition) {
    try {
      return condition.holds();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
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
