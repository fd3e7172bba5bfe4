package io.airlock.gateway.config;

import io.airlock.policy.config.TlsConfig;
import io.airlock.policy.config.UpstreamTls;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code dataPlane.tls}, {@code controlPlane.tls} and {@code routes[n].tls}. Files are resolved,
 * not read: the node reads them when it starts, as its service user. Plain HTTP is allowed only
 * on a loopback host (implied there, so the demo and local tests need no certificates), anywhere
 * else a listener without {@code tls} is an error: agents' grants and staff tokens are bearer
 * secrets and must never cross a network in clear.
 */
final class TlsBinder {
  private TlsBinder() {}

  static final String LISTENER_HINT = "{certFile, keyFile}";
  static final Duration MIN_WATCH_INTERVAL = Duration.ofMillis(100);
  static final Duration MAX_WATCH_INTERVAL = Duration.ofHours(1);

  static Optional<TlsConfig> listener(Section parent, String host, Path dir) {
    if (!parent.has("tls")) {
      if (!Values.isLoopbackHost(host)) {
        parent.report(
            parent.key("tls"),
            "missing (required: " + LISTENER_HINT + " PEM files): plain HTTP is served only on a loopback host"
                + " (127.0.0.1, ::1, localhost), got " + host);
      }
      return Optional.empty();
    }
    Section t = parent.section("tls", "certFile", "keyFile", "watchInterval");
    Path cert = path(t, "certFile", "PEM certificate chain, leaf first", dir);
    Path key = path(t, "keyFile", "PEM private key of the certificate", dir);
    Duration watch = t.duration("watchInterval", TlsConfig.DEFAULT_WATCH_INTERVAL, true, MAX_WATCH_INTERVAL);
    if (!watch.isZero() && watch.compareTo(MIN_WATCH_INTERVAL) < 0) {
      t.report(t.key("watchInterval"), "must be 0s (off) or at least " + MIN_WATCH_INTERVAL.toMillis() + "ms");
    }
    return cert != null && key != null ? Optional.of(new TlsConfig(cert, key, watch)) : Optional.empty();
  }

  static Optional<UpstreamTls> upstream(Section route, URI backend, Path dir) {
    boolean https = backend == null || "https".equalsIgnoreCase(backend.getScheme());
    return client(route, dir, https ? null : "only for an https:// backend (backend is " + backend + ")");
  }

  /**
   * {@code tls} of a connection the gateway opens: the CA bundle (required) and an optional
   * client certificate.
   *
   * @param misuse the problem to report when the connection is not TLS at all, or null
   */
  static Optional<UpstreamTls> client(Section parent, Path dir, String misuse) {
    if (!parent.has("tls")) {
      return Optional.empty();
    }
    Section t = parent.section("tls", "caFile", "certFile", "keyFile");
    if (misuse != null) {
      parent.report(parent.key("tls"), misuse);
    }
    Path ca = path(t, "caFile", "PEM bundle of the CAs the server's certificate chains to", dir);
    Path cert = path(t, "certFile", null, dir);
    Path key = path(t, "keyFile", null, dir);
    if (t.has("certFile") != t.has("keyFile")) {
      t.report(t.key(t.has("certFile") ? "keyFile" : "certFile"), "missing (a client certificate needs both certFile and keyFile)");
      return Optional.empty();
    }
    return ca != null ? Optional.of(new UpstreamTls(ca, Optional.ofNullable(cert), Optional.ofNullable(key))) : Optional.empty();
  }

  private static Path path(Section s, String k, String requiredHint, Path dir) {
    String text = s.string(k, requiredHint);
    if (text == null) {
      return null;
    }
    try {
      return dir == null ? Path.of(text) : dir.resolve(Path.of(text)).normalize();
    } catch (InvalidPathException e) {
      s.report(s.key(k), "not a valid path: " + e.getReason());
      return null;
    }
  }
}
