package io.airlock.policy.config;

/** A listening socket. Port 0 means "any free port" (tests). */
public record ListenerConfig(String host, int port) {}
