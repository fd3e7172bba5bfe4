package io.airlock.policy.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the gateway trusts a server it connects to over TLS ({@code routes[n].tls} for an {@code
 * https://} backend, {@code redis.tls} for {@code rediss://}), and optionally the client
 * certificate it presents (mTLS). Hostname verification is always on.
 *
 * @param caFile PEM bundle of the CAs the server's certificate must chain to
 * @param certFile client certificate chain (PEM), present together with {@code keyFile}
 * @param keyFile client private key (PEM)
 */
public record UpstreamTls(Path caFile, Optional<Path> certFile, Optional<Path> keyFile) {
  public UpstreamTls {
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
  }
}
