package io.airlock.policy.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code dataPlane.tls} / {@code controlPlane.tls}: the PEM files a listener serves HTTPS from.
 *
 * @param certFile certificate chain, leaf first
 * @param keyFile the leaf's private key (PKCS#8 or PKCS#1)
 */
public record TlsConfig(Path certFile, Path keyFile) {
  public TlsConfig {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
  }
}
