package io.airlock.policy.config;

/** {@code node.id}: names this node in audit records, watermarks and heartbeats. */
public record NodeConfig(String id) {}
