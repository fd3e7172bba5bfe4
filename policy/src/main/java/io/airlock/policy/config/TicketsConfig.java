package io.airlock.policy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code tickets.*} in airlock.yaml: whether access requests are checked against the ticketing
 * system, and how it is reached.
 *
 * @param file {@code tickets.yaml} for {@link Mode#FILE}
 * @param http the ticketing API for {@link Mode#HTTP}
 */
public record TicketsConfig(Mode mode, Optional<Path> file, Optional<Http> http) {
  public enum Mode {
    /** tickets are not checked (only their syntax, by policy.yaml's ticketPattern) */
    NONE,
    /** a YAML file of tickets (the demo) */
    FILE,
    /** {@code GET {baseUrl}/tickets/{id}} */
    HTTP
  }

  /**
   * @param timeout for the whole call; slower is treated as unreachable
   * @param cacheTtl how long an answer is reused
   */
  public record Http(URI baseUrl, Duration timeout, Duration cacheTtl) {
    public Http {
      Objects.requireNonNull(baseUrl, "baseUrl");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(cacheTtl, "cacheTtl");
    }
  }

  public TicketsConfig {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(http, "http");
    if (mode == Mode.FILE && file.isEmpty()) {
      throw new IllegalArgumentException("tickets.mode file needs tickets.file");
    }
    if (mode == Mode.HTTP && http.isEmpty()) {
      throw new IllegalArgumentException("tickets.mode http needs tickets.http");
    }
  }

  public static TicketsConfig none() {
    return new TicketsConfig(Mode.NONE, Optional.empty(), Optional.empty());
  }
}
