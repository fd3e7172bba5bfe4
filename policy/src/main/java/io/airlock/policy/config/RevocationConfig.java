package io.airlock.policy.config;

import java.time.Duration;

/** {@code revocation.*}: how old local revocation state may be before the data plane refuses. */
public record RevocationConfig(Duration maxStaleness) {}
