package io.airlock.policy.config;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code identity.*}: how staff prove who they are to the control plane.
 *
 * @param mode {@code demo} (loopback only, users from {@code users.yaml}) or {@code oidc}
 * @param oidc the identity provider's settings; present whenever {@code mode} is {@code oidc}
 *     (the config loader refuses an oidc mode without them)
 */
public record IdentityConfig(Mode mode, Optional<OidcConfig> oidc) {
  public enum Mode {
    DEMO,
    OIDC
  }

  public IdentityConfig {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(oidc, "oidc");
  }

  /** Without identity-provider settings: demo mode, and tests that never authenticate staff. */
  public IdentityConfig(Mode mode) {
    this(mode, Optional.empty());
  }
}
