package io.airlock.gateway.config;

import io.airlock.policy.config.TlsConfig;
import io.airlock.policy.config.UpstreamTls;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
    Section t = parent.section("tls", "certFile", "keyFile");
    Path cert = path(t, "certFile", "PEM certificate chain, leaf first", dir);
    Path key = path(t, "keyFile", "PEM private key of the certificate", dir);
    return cert != null && key != null ? Optional.of(new TlsConfig(cert, key)) : Optional.empty();
  }

  static Optional<UpstreamTls> upstream(Section route, URI backend, Path dir) {
    if (!route.has("tls")) {
      return Optional.empty();
    }
    Section t = route.section("tls", "caFile", "certFile", "keyFile");
    if (backend != null && !"https".equalsIgnoreCase(backend.getScheme())) {
      route.report(route.key("tls"), "only for an https:// backend (backend is " + backend + ")");
    }
    Path ca = path(t, "caFile", "PEM bundle of the CAs the backend's certificate chains to", dir);
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
