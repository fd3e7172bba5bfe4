package io.airlock.policy.staff;

import java.util.Locale;
import java.util.Optional;

/** Staff roles (DESIGN.md "Users"). */
public enum Role {
  /** requests time-boxed access, reads client data through the gateway */
  AGENT,
  /** approves or denies requests of agents in their team(s), revokes grants */
  MANAGER,
  /** kill switch, lockdown, suspensions, audit; may approve where policy names it */
  SECURITY;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String code) {
    if (code == null) {
      return Optional.empty();
    }
    String c = code.trim().toLowerCase(Locale.ROOT);
    for (Role r : values()) {
      if (r.code().equals(c)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
