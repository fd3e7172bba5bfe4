package io.airlock.gateway.dataplane;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Set;

/**
 * CORS for the approvals UI only: exact configured origins, GET/HEAD with an Authorization
 * header, no credentials (grants travel as bearer tokens, never cookies). Any other origin gets
 * no CORS headers at all, so a browser will not let its page read the response.
 */
final class Cors {
  private static final String EXPOSED = "X-Airlock-Watermark, X-Airlock-Request-Id";
  private final Set<String> origins;

  Cors(List<String> origins) {
    this.origins = Set.copyOf(origins);
  }

  /** Answers a preflight and returns true; otherwise decorates the response and returns false. */
  boolean handle(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    if (origin == null) {
      return false;
    }
    boolean allowed = origins.contains(origin);
    HttpServerResponse resp = request.response();
    boolean preflight =
        request.method() == HttpMethod.OPTIONS && request.getHeader("Access-Control-Request-Method") != null;
    if (preflight) {
      if (allowed) {
        resp.setStatusCode(204)
            .putHeader("Access-Control-Allow-Origin", origin)
            .putHeader("Access-Control-Allow-Methods", "GET, HEAD")
            .putHeader("Access-Control-Allow-Headers", "Authorization")
            .putHeader("Access-Control-Max-Age", "600")
            .putHeader("Vary", "Origin");
      } else {
        resp.setStatusCode(403).putHeader("Vary", "Origin");
      }
      resp.end();
      return true;
    }
    if (allowed) {
      resp.putHeader("Access-Control-Allow-Origin", origin)
          .putHeader("Access-Control-Expose-Headers", EXPOSED)
          .putHeader("Vary", "Origin");
    }
    return false;
  }
}
