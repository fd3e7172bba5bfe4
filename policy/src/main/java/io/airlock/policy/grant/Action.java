package io.airlock.policy.grant;

import java.util.Locale;
import java.util.Optional;

/** What a grant lets its holder do. {@code read} covers GET and HEAD; anything else is a write. */
public enum Action {
  READ,
  WRITE;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Action> parse(String code) {
    for (Action a : values()) {
      if (a.code().equals(code)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** The action an HTTP method needs. */
  public static Action forMethod(String method) {
    return "GET".equals(method) || "HEAD".equals(method) ? READ : WRITE;
  }
}
