package io.airlock.policy.config;

/** {@code identity.mode}: {@code demo} (loopback only) or {@code oidc}. */
public record IdentityConfig(Mode mode) {
  public enum Mode {
    DEMO,
    OIDC
  }
}
