package io.airlock.gateway;

import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.Route;
import io.airlock.policy.config.TlsConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Server-side TLS settings and the start-up check of every certificate and key file the config
 * names: a node that cannot read one refuses to start and says which file and which key.
 */
public final class TlsFiles {
  /** TLS 1.0 and 1.1 are broken or deprecated (RFC 8996); nothing older than 1.2 is offered. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private TlsFiles() {}

  /** Every unreadable file, as {@code <file>: <key>: <problem>}; empty when all can be read. */
  public static List<String> problems(AirlockConfig c) {
    List<String> out = new ArrayList<>();
    c.dataPlane().tls().ifPresent(t -> listener(out, "dataPlane", t));
    c.controlPlane().tls().ifPresent(t -> listener(out, "controlPlane", t));
    c.redis().flatMap(r -> r.tls()).ifPresent(t -> {
      readable(out, "airlock.yaml", "redis.tls.caFile", t.caFile());
      t.certFile().ifPresent(f -> readable(out, "airlock.yaml", "redis.tls.certFile", f));
      t.keyFile().ifPresent(f -> readable(out, "airlock.yaml", "redis.tls.keyFile", f));
    });
    for (int i = 0; i < c.routes().size(); i++) {
      Route r = c.routes().get(i);
      String at = "routes[" + i + "].tls";
      int n = i;
      r.tls().ifPresent(t -> {
        readable(out, "routes.yaml", at + ".caFile", t.caFile());
        t.certFile().ifPresent(f -> readable(out, "routes.yaml", "routes[" + n + "].tls.certFile", f));
        t.keyFile().ifPresent(f -> readable(out, "routes.yaml", "routes[" + n + "].tls.keyFile", f));
      });
    }
    return out;
  }

  private static void listener(List<String> out, String key, TlsConfig t) {
    readable(out, "airlock.yaml", key + ".tls.certFile", t.certFile());
    readable(out, "airlock.yaml", key + ".tls.keyFile", t.keyFile());
  }

  private static void readable(List<String> out, String file, String key, Path p) {
    if (!Files.isRegularFile(p)) {
      out.add(file + ": " + key + ": " + p + " does not exist or is not a file");
    } else if (!Files.isReadable(p)) {
      out.add(file + ": " + key + ": " + p + " is not readable by this user");
    }
  }

  /** A certificate chain and its key as the bytes that were read once and checked. */
  public record CheckedPair(Buffer cert, Buffer key) {
    PemKeyCertOptions options() {
      return new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
    }
  }

  /**
   * The same settings as {@link #serve} with a new pair, given as the bytes that were checked (a
   * path would let Vert.x read a file that changed since): what a running listener switches to on
   * a certificate reload. ALPN is restated because the update replaces it too.
   */
  public static io.vertx.core.net.ServerSSLOptions reloaded(CheckedPair pair, boolean http11Only) {
    io.vertx.core.net.ServerSSLOptions o =
        new io.vertx.core.net.ServerSSLOptions()
            .setKeyCertOptions(pair.options())
            .setEnabledSecureTransportProtocols(PROTOCOLS);
    if (http11Only) {
      o.setUseAlpn(true).setApplicationLayerProtocols(List.of("http/1.1"));
    }
    return o;
  }

  /**
   * Applies HTTPS to a listener's options when its config has {@code tls}, serving {@code
   * checked}: the pair start-up read and checked, never the files again (they may have changed
   * since, e.g. mid-rotation), so what was checked is what is served and what is reported.
   *
   * @throws IllegalStateException when {@code tls} and {@code checked} disagree: a listener
   *     configured for TLS never starts in plain text, nor one without TLS with a pair
   */
  public static <T extends io.vertx.core.net.NetServerOptions> T serve(
      T opts, Optional<TlsConfig> tls, Optional<CheckedPair> checked) {
    if (tls.isPresent() != checked.isPresent()) {
      throw new IllegalStateException(tls.isPresent()
          ? "a TLS listener was started without the pair checked for " + tls.get().certFile()
          : "a listener without tls was given a certificate pair");
    }
    checked.ifPresent(
        pair -> {
          opts.setSsl(true);
          opts.setKeyCertOptions(pair.options());
          opts.setEnabledSecureTransportProtocols(PROTOCOLS);
          opts.setSslEngineOptions(new JdkSSLEngineOptions());
        });
    return opts;
  }
}
