package io.airlock.policy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * policy.yaml: limits the control plane enforces when it accepts requests and issues grants.
 *
 * @param defaultGrantTtl lifetime of a grant whose request names no duration
 * @param maxGrantTtl no request may ask for more, and no grant lives longer
 * @param requests what a request may ask for and who approves it
 */
public record PolicyConfig(Duration defaultGrantTtl, Duration maxGrantTtl, RequestPolicy requests) {

  public PolicyConfig {
    Objects.requireNonNull(defaultGrantTtl, "defaultGrantTtl");
    Objects.requireNonNull(maxGrantTtl, "maxGrantTtl");
    Objects.requireNonNull(requests, "requests");
    if (defaultGrantTtl.compareTo(maxGrantTtl) > 0) {
      throw new IllegalArgumentException("defaultGrantTtl is longer than maxGrantTtl");
    }
  }

  /** Grant lifetimes only; request and approval rules at their defaults. */
  public PolicyConfig(Duration defaultGrantTtl, Duration maxGrantTtl) {
    this(defaultGrantTtl, maxGrantTtl, RequestPolicy.defaults());
  }

  public static PolicyConfig defaults() {
    return new PolicyConfig(Duration.ofMinutes(15), Duration.ofMinutes(60));
  }
}
