package io.airlock.gateway.identity;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Control-plane errors in the DESIGN.md shape {@code {"error","message","requestId"}}. */
final class ErrorBodies {
  private ErrorBodies() {}

  /** Set by whatever assigns request ids earlier in the chain; one is made up otherwise. */
  static final String REQUEST_ID = "requestId";

  private static final SecureRandom RANDOM = new SecureRandom();

  static String requestId(RoutingContext ctx) {
    String id = ctx.get(REQUEST_ID);
    if (id == null) {
      byte[] b = new byte[8];
      RANDOM.nextBytes(b);
      id = HexFormat.of().formatHex(b);
      ctx.put(REQUEST_ID, id);
    }
    return id;
  }

  static void send(RoutingContext ctx, int status, String error, String message) {
    HttpServerResponse r = ctx.response();
    if (r.ended() || r.closed()) {
      return;
    }
    String id = requestId(ctx);
    r.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Airlock-Request-Id", id)
        .end(new JsonObject().put("error", error).put("message", message).put("requestId", id).encode());
  }
}
