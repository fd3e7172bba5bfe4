package io.airlock.gateway.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that runs at real speed from a chosen instant and that a test moves forward. */
public final class MovableClock extends Clock {
  private volatile Instant base;
  private final long startNanos = System.nanoTime();

  public MovableClock(Instant base) {
    this.base = base;
  }

  public void advance(Duration d) {
    base = base.plus(d);
  }

  /** Moves forward so that it reads {@code t} now (never backwards). */
  public void advanceTo(Instant t) {
    Duration gap = Duration.between(instant(), t);
    if (!gap.isNegative()) {
      advance(gap);
    }
  }

  @Override
  public Instant instant() {
    return base.plusNanos(System.nanoTime() - startNanos);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
