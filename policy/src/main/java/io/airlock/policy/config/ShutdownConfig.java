package io.airlock.policy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code shutdown.*} in airlock.yaml: how a node stops on SIGTERM.
 *
 * @param drainTimeout how long exchanges already in progress may take to finish once the node
 *     stopped accepting; whatever is still running after it is cut
 */
public record ShutdownConfig(Duration drainTimeout) {
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  public ShutdownConfig {
    Objects.requireNonNull(drainTimeout, "drainTimeout");
  }

  public static ShutdownConfig defaults() {
    return new ShutdownConfig(DEFAULT_DRAIN_TIMEOUT);
  }
}
