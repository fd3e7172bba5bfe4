package io.airlock.policy.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * policy.yaml: limits the control plane enforces when it accepts requests and issues grants.
 *
 * @param defaultGrantTtl lifetime of a grant whose request names no duration
 * @param maxGrantTtl no request may ask for more, and no grant lives longer
 * @param requests what a request may ask for and who approves it
 * @param quotas how many distinct clients one agent may read and request
 * @param honeyClients client ids no legitimate work ever touches: naming one in a request alerts
 *     security, reading one suspends the agent
 */
public record PolicyConfig(
    Duration defaultGrantTtl,
    Duration maxGrantTtl,
    RequestPolicy requests,
    QuotaPolicy quotas,
    Set<String> honeyClients) {

  public PolicyConfig {
    Objects.requireNonNull(defaultGrantTtl, "defaultGrantTtl");
    Objects.requireNonNull(maxGrantTtl, "maxGrantTtl");
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(quotas, "quotas");
    honeyClients = Set.copyOf(honeyClients);
    if (defaultGrantTtl.compareTo(maxGrantTtl) > 0) {
      throw new IllegalArgumentException("defaultGrantTtl is longer than maxGrantTtl");
    }
  }

  /** Default quotas, no honey clients. */
  public PolicyConfig(Duration defaultGrantTtl, Duration maxGrantTtl, RequestPolicy requests) {
    this(defaultGrantTtl, maxGrantTtl, requests, QuotaPolicy.defaults(), Set.of());
  }

  public PolicyConfig withQuotas(QuotaPolicy q) {
    return new PolicyConfig(defaultGrantTtl, maxGrantTtl, requests, q, honeyClients);
  }

  public PolicyConfig withHoneyClients(Set<String> honey) {
    return new PolicyConfig(defaultGrantTtl, maxGrantTtl, requests, quotas, honey);
  }

  /** Grant lifetimes only; request and approval rules at their defaults. */
  public PolicyConfig(Duration defaultGrantTtl, Duration maxGrantTtl) {
    this(defaultGrantTtl, maxGrantTtl, RequestPolicy.defaults());
  }

  public static PolicyConfig defaults() {
    return new PolicyConfig(Duration.ofMinutes(15), Duration.ofMinutes(60));
  }
}
