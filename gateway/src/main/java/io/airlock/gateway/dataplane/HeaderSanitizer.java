package io.airlock.gateway.dataplane;

import io.airlock.policy.config.Route;
import io.vertx.core.MultiMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Step 9's header rules, in both directions. Requests: a copy into a fresh map minus what step
 * 9 strips (and headers that override the method or path the checks saw), so nothing the agent
 * sent survives by accident into what the backend trusts. Responses: an allow-list.
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
          "x-real-ip",
          // headers some frameworks let override the method or the path the scope check saw
          // (a GET checked against read, run as a DELETE; /clients/c-1 checked, /clients/c-2 served)
          "x-http-method-override",
          "x-http-method",
          "x-method-override",
          "x-original-method",
          "x-original-url",
          "x-original-uri",
          "x-rewrite-url",
          "x-forwarded-prefix",
          "x-forwarded-path",
          "x-forwarded-uri",
          "x-forwarded-port",
          "x-forwarded-server",
          "x-forwarded-scheme",
          "x-original-host",
          "x-host");

  /**
   * The only backend response headers an agent sees: what a client needs to read the body. A
   * backend's other headers (a session cookie, a redirect to an internal host, a custom header
   * carrying a client's name or email) would go around masking.
   */
  private static final Set<String> RESPONSE_ALLOWED =
      Set.of(
          "content-type",
          "content-length",
          "content-language",
          "content-disposition",
          "date",
          "last-modified",
          "etag",
          "expires",
          "vary",
          "retry-after");

  private HeaderSanitizer() {}

  /**
   * Headers for the backend request: the agent's headers minus everything step 9 strips; on a
   * passthrough route, {@code Accept} is the route's list (plus JSON when it has a profile).
   */
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
    Route route = ex.match().route();
    if (route.passthrough()) {
      // a backend that negotiates formats is asked only for what may leave: the agent's Accept
      // could name the XML or CSV rendering of a record the profile masks
      StringBuilder accept = new StringBuilder(String.join(", ", route.passthroughTypes()));
      if (route.maskingProfile().isPresent()) {
        accept.append(", application/json");
      }
      out.set("Accept", accept.toString());
    }
    out.set("X-Forwarded-For", ex.clientAddress());
    out.set("X-Airlock-Agent", ex.grant().agent());
    out.set("X-Airlock-Ticket", ex.grant().ticket());
    out.set("X-Airlock-Request-Id", ex.requestId());
    return out;
  }

  /**
   * Backend response headers for the agent: only {@link #RESPONSE_ALLOWED} ones, minus any the
   * backend names in {@code Connection}; {@code Content-Length}, {@code ETag} and {@code
   * Content-Disposition} are dropped when masking re-encodes the body. So a backend can forge none of our {@code X-Airlock-*} headers,
   * nor set CORS (the gateway's decision).
   */
  static void copyResponse(MultiMap fromBackend, MultiMap to, boolean bodyRewritten) {
    Set<String> named = connectionNamed(fromBackend);
    for (Map.Entry<String, String> e : fromBackend) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (!(RESPONSE_ALLOWED.contains(name) || (name.equals("location") && isRelativePath(e.getValue())))
          || named.contains(name)
          // a masked body's file name is not masked ("statement-Jane-Doe-123-45-6789.json")
          || (bodyRewritten && (name.equals("content-length") || name.equals("etag") || name.equals("content-disposition")))) {
        continue;
      }
      to.add(e.getKey(), e.getValue());
    }
  }

  /**
   * A redirect or a 201's {@code Location} passes only as a path on this gateway ({@code
   * /clients/c-1/statements/7}): following it goes through the same checks. An absolute URL
   * would name an internal host, and {@code //host} is absolute too.
   */
  private static boolean isRelativePath(String v) {
    return v != null && v.startsWith("/") && !v.startsWith("//") && !v.contains("\\")
        && v.chars().noneMatch(c -> c < 0x21 || c > 0x7e);
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
