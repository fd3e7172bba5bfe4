package io.airlock.policy.config;

import java.time.Duration;

/**
 * {@code dataPlane.*} in airlock.yaml.
 *
 * @param maxRequestBodyBytes request bodies larger than this are refused with 413
 * @param maxHeaderBytes total request header size; larger is refused with 431
 * @param maxUriLength request-target length; longer is refused with 414
 * @param backendConnectTimeout connect timeout to backends
 * @param backendResponseTimeout idle timeout waiting for backend response bytes
 * @param corsOrigins browser origins (the approvals UI) allowed to read through the data plane;
 *     empty means no cross-origin reads at all
 * @param tls the certificate and key to serve HTTPS with (HTTP/1.1 only); empty means plain
 *     HTTP, which the loader allows only on a loopback host
 */
public record DataPlaneConfig(
    String host,
    int port,
    long maxRequestBodyBytes,
    int maxHeaderBytes,
    int maxUriLength,
    Duration backendConnectTimeout,
    Duration backendResponseTimeout,
    java.util.List<String> corsOrigins,
    java.util.Optional<TlsConfig> tls) {

  public DataPlaneConfig {
    corsOrigins = java.util.List.copyOf(corsOrigins);
    java.util.Objects.requireNonNull(tls, "tls");
  }

  /** Plain HTTP (loopback). */
  public DataPlaneConfig(
      String host,
      int port,
      long maxRequestBodyBytes,
      int maxHeaderBytes,
      int maxUriLength,
      Duration backendConnectTimeout,
      Duration backendResponseTimeout,
      java.util.List<String> corsOrigins) {
    this(host, port, maxRequestBodyBytes, maxHeaderBytes, maxUriLength, backendConnectTimeout, backendResponseTimeout,
        corsOrigins, java.util.Optional.empty());
  }
}
