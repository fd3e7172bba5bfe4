package io.airlock.policy.staff;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;

/**
 * Staff ids are compared in one normal form so that nobody approves their own request under a
 * variant of their name ({@code Alice}, {@code alice }, full-width or look-alike letters).
 * NFKC folds compatibility forms (full-width, ligatures), then ids are trimmed and lower-cased
 * with {@link Locale#ROOT}; after that only {@code [a-z0-9._@-]} is allowed, so Cyrillic or Greek
 * look-alikes cannot name a second, visually identical person: they are refused outright.
 */
public final class StaffId {
  private StaffId() {}

  /** The normal form, or empty if the id is not acceptable as a staff id. */
  public static Optional<String> normalize(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String n = Normalizer.normalize(raw, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
    if (n.isEmpty() || n.length() > 128) {
      return Optional.empty();
    }
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-';
      if (!ok) {
        return Optional.empty();
      }
    }
    return Optional.of(n);
  }
}
