package io.airlock.policy.config;

import java.util.Optional;

/**
 * A listening socket. Port 0 means "any free port" (tests).
 *
 * @param tls the certificate and key to serve HTTPS with; empty means plain HTTP, which the
 *     loader allows only on a loopback host
 */
public record ListenerConfig(String host, int port, Optional<TlsConfig> tls) {
  public ListenerConfig {
    java.util.Objects.requireNonNull(tls, "tls");
  }

  /** Plain HTTP (loopback). */
  public ListenerConfig(String host, int port) {
    this(host, port, Optional.empty());
  }
}
