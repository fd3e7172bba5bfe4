package io.airlock.policy.config;

/** {@code accessLog.enabled}: a structured JSON-lines access log (logger {@code airlock.access}). */
public record AccessLogConfig(boolean enabled) {}
