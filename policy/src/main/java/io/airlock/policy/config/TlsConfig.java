package io.airlock.policy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code dataPlane.tls} / {@code controlPlane.tls}: the PEM files a listener serves HTTPS from.
 *
 * @param certFile certificate chain, leaf first
 * @param keyFile the leaf's private key (PKCS#8 or PKCS#1)
 * @param watchInterval how often the files are checked for a change (a changed, valid pair is
 *     served to new connections); zero turns watching off (SIGHUP still reloads)
 */
public record TlsConfig(Path certFile, Path keyFile, Duration watchInterval) {
  public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(5);

  public TlsConfig {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(watchInterval, "watchInterval");
    if (watchInterval.isNegative()) {
      throw new IllegalArgumentException("watchInterval: must not be negative");
    }
  }

  /** Watched every {@link #DEFAULT_WATCH_INTERVAL}. */
  public TlsConfig(Path certFile, Path keyFile) {
    this(certFile, keyFile, DEFAULT_WATCH_INTERVAL);
  }
}
