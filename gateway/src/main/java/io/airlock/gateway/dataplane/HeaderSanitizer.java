package io.airlock.gateway.dataplane;

import io.vertx.core.MultiMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Step 9's header rules, in both directions. Built as an allow-by-removal copy into a fresh
 * map so nothing the agent sent survives by accident into what the backend trusts.
 */
final class HeaderSanitizer {
  /** RFC 9110 §7.6.1 hop-by-hop headers plus the legacy and HTTP/2 ones proxies also see. */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "http2-settings");

  /** Never forwarded to a backend: credentials, partial-content and encoding negotiation. */
  private static final Set<String> REQUEST_DROPPED =
      Set.of(
          "authorization",
          "cookie",
          "host",
          "content-length",
          "range",
          "if-range",
          "accept-encoding",
          "forwarded",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto",
          "x-real-ip");

  private HeaderSanitizer() {}

  /** Headers for the backend request: the agent's headers minus everything step 9 strips. */
  static MultiMap forBackend(MultiMap incoming, Exchange ex) {
    Set<String> named = connectionNamed(incoming);
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, String> e : incoming) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name)
          || REQUEST_DROPPED.contains(name)
          || named.contains(name)
          || name.startsWith("x-airlock-")) {
        continue;
      }
      out.add(e.getKey(), e.getValue());
    }
    out.set("Accept-Encoding", "identity");
    out.set("X-Forwarded-For", ex.clientAddress());
    out.set("X-Airlock-Agent", ex.grant().agent());
    out.set("X-Airlock-Ticket", ex.grant().ticket());
    out.set("X-Airlock-Request-Id", ex.requestId());
    return out;
  }

  /**
   * Backend response headers for the agent. {@code Content-Length} is dropped when the body is
   * re-encoded by masking; a backend cannot forge our {@code X-Airlock-*} headers.
   */
  static void copyResponse(MultiMap fromBackend, MultiMap to, boolean bodyRewritten) {
    Set<String> named = connectionNamed(fromBackend);
    for (Map.Entry<String, String> e : fromBackend) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name)
          || named.contains(name)
          || name.startsWith("x-airlock-")
          // CORS is the gateway's decision, never the backend's
          || name.startsWith("access-control-")
          || (bodyRewritten && (name.equals("content-length") || name.equals("etag") || name.equals("content-md5")))) {
        continue;
      }
      to.add(e.getKey(), e.getValue());
    }
  }

  private static Set<String> connectionNamed(MultiMap headers) {
    Set<String> named = new HashSet<>();
    for (String v : headers.getAll("Connection")) {
      for (String token : v.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          named.add(t);
        }
      }
    }
    return named;
  }
}
