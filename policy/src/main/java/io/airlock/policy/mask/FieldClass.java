package io.airlock.policy.mask;

import java.util.Locale;
import java.util.Optional;

/** Classes of sensitive data a masking profile assigns to fields (DESIGN.md "Masking"). */
public enum FieldClass {
  SSN,
  EMAIL,
  PHONE,
  ADDRESS,
  DOB,
  BANK,
  CARD,
  DOCUMENT,
  /** Always dropped, whatever a grant says. */
  SECRET;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<FieldClass> parse(String code) {
    if (code == null) {
      return Optional.empty();
    }
    String c = code.trim().toLowerCase(Locale.ROOT);
    for (FieldClass f : values()) {
      if (f.code().equals(c)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
