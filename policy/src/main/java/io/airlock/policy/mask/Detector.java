package io.airlock.policy.mask;

import java.util.Locale;
import java.util.Optional;

/**
 * Content detectors: they mask a value by what it looks like, wherever it stands, and the part of
 * a shown string that looks like one (a card number in a note).
 */
public enum Detector {
  /** Luhn-valid card numbers of 13-19 digits, as strings (spaces/dashes allowed) or JSON numbers */
  CARD(FieldClass.CARD),
  /** IBANs with a valid ISO 13616 mod-97 checksum */
  IBAN(FieldClass.BANK),
  /** US SSN pattern {@code ddd-dd-dddd} */
  SSN(FieldClass.SSN);

  private final FieldClass fieldClass;

  Detector(FieldClass fieldClass) {
    this.fieldClass = fieldClass;
  }

  /** The class a detected value is masked as. */
  public FieldClass fieldClass() {
    return fieldClass;
  }

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Detector> parse(String code) {
    if (code == null) {
      return Optional.empty();
    }
    String c = code.trim().toLowerCase(Locale.ROOT);
    for (Detector d : values()) {
      if (d.code().equals(c)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
