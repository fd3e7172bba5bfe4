package io.airlock.policy.mask;

import java.util.Locale;
import java.util.Optional;

/** How a masked value is shown. */
public enum Strategy {
  /** keep the last four characters, replace the rest with {@code *} */
  LAST4,
  /** {@code john@example.com} becomes {@code j***@e***.com} */
  EMAIL,
  /** replace the value with the string {@code "[redacted]"} */
  REDACT,
  /** a keyed token (HMAC-SHA-256, truncated), so equal values compare equal without being shown */
  HMAC,
  /** remove the field (in an object) or replace the element with null (in an array) */
  DROP;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Strategy> parse(String code) {
    if (code == null) {
      return Optional.empty();
    }
    String c = code.trim().toLowerCase(Locale.ROOT);
    for (Strategy s : values()) {
      if (s.code().equals(c)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
