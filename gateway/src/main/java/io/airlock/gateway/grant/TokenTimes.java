package io.airlock.gateway.grant;

/**
 * The range a JWT time claim ({@code iat}, {@code nbf}, {@code exp}) must fall in before Nimbus
 * sees it. Nimbus makes a {@code Date} of seconds * 1000, which overflows: a token dated 584
 * million years back reads as "expires in ten minutes" there, and one signed with a key whose
 * window has no lower bound would never expire.
 */
public final class TokenTimes {
  /** 9999-12-31T23:59:59Z: far beyond any token, far below where milliseconds overflow. */
  public static final long LATEST_SECONDS = 253_402_300_799L;

  private TokenTimes() {}

  /** Whether a claim's JSON value is a number of seconds between 1970 and 9999. */
  public static boolean inRange(Object value) {
    return value instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= LATEST_SECONDS;
  }
}
