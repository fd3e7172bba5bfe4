package io.airlock.policy.mask;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What one grant may see, and the limits that bound the masker's memory.
 *
 * @param unmask classes the grant shows in clear; {@link FieldClass#SECRET} is ignored because a
 *     secret is never shown, whatever a grant says
 * @param hmacKey key of the {@link Strategy#HMAC} strategy (at least 16 bytes)
 * @param agent the agent the response is for; HMAC tokens are keyed per agent so two agents cannot
 *     join their tokens
 * @param maxStringLength longest string value or field name (in chars) accepted
 * @param maxNumberLength longest number (in chars) accepted
 */
public record MaskingOptions(
    Set<FieldClass> unmask, byte[] hmacKey, String agent, int maxStringLength, int maxNumberLength) {

  public static final int DEFAULT_MAX_STRING_LENGTH = 1 << 20;
  public static final int DEFAULT_MAX_NUMBER_LENGTH = 1000;

  public MaskingOptions {
    Objects.requireNonNull(hmacKey, "hmacKey");
    Objects.requireNonNull(agent, "agent");
    if (hmacKey.length < 16) {
      throw new IllegalArgumentException("hmacKey must have at least 16 bytes");
    }
    if (maxStringLength < 16 || maxNumberLength < 20) {
      throw new IllegalArgumentException("maxStringLength >= 16 and maxNumberLength >= 20 required");
    }
    EnumSet<FieldClass> u = EnumSet.noneOf(FieldClass.class);
    u.addAll(unmask);
    u.remove(FieldClass.SECRET);
    unmask = Set.copyOf(u);
    hmacKey = hmacKey.clone();
  }

  /** Options with the default limits (1 MiB strings, 1000-digit numbers). */
  public static MaskingOptions of(Set<FieldClass> unmask, byte[] hmacKey, String agent) {
    return new MaskingOptions(
        unmask, hmacKey, agent, DEFAULT_MAX_STRING_LENGTH, DEFAULT_MAX_NUMBER_LENGTH);
  }

  public MaskingOptions withLimits(int maxStringLength, int maxNumberLength) {
    return new MaskingOptions(unmask, hmacKey, agent, maxStringLength, maxNumberLength);
  }

  @Override
  public byte[] hmacKey() {
    return hmacKey.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MaskingOptions m
        && unmask.equals(m.unmask)
        && Arrays.equals(hmacKey, m.hmacKey)
        && agent.equals(m.agent)
        && maxStringLength == m.maxStringLength
        && maxNumberLength == m.maxNumberLength;
  }

  @Override
  public int hashCode() {
    return Objects.hash(unmask, Arrays.hashCode(hmacKey), agent, maxStringLength, maxNumberLength);
  }

  // the key stays out of logs
  @Override
  public String toString() {
    return "MaskingOptions[unmask=" + unmask + ", agent=" + agent + ", maxStringLength="
        + maxStringLength + ", maxNumberLength=" + maxNumberLength + "]";
  }
}
