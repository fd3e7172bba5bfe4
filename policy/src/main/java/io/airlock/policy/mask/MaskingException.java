package io.airlock.policy.mask;

import java.util.Objects;

/**
 * The response body cannot be masked; the gateway answers 502 (or resets the connection if headers
 * are already out) and never forwards the rest.
 *
 * <p>Messages never quote the body: parser messages echo input bytes, which may be the very values
 * we are hiding, and exception messages end up in logs.
 */
public final class MaskingException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why masking stopped; stable codes for audit and metrics. */
  public enum Kind {
    /** not JSON */
    MALFORMED,
    /** nesting deeper than the profile's maxDepth */
    TOO_DEEP,
    /** a string, number or field name longer than the configured limit */
    TOO_LARGE,
    /** the body ended before the JSON value did (or was empty) */
    TRUNCATED,
    /** non-whitespace after the one JSON value */
    TRAILING_DATA
  }

  private final Kind kind;
  private final long byteOffset;

  public MaskingException(Kind kind, long byteOffset) {
    super(Objects.requireNonNull(kind, "kind").name().toLowerCase(java.util.Locale.ROOT)
        + " at byte " + byteOffset, null, false, false);
    this.kind = kind;
    this.byteOffset = byteOffset;
  }

  public Kind kind() {
    return kind;
  }

  /** Offset into the body where the problem was found, or -1 when unknown. */
  public long byteOffset() {
    return byteOffset;
  }
}
