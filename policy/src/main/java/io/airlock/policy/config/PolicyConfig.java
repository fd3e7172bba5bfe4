package io.airlock.policy.config;

import java.time.Duration;

/** policy.yaml: limits the control plane enforces when it issues grants. */
public record PolicyConfig(Duration defaultGrantTtl, Duration maxGrantTtl) {}
