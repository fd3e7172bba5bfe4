package io.airlock.gateway.controlplane;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A control-plane refusal with its HTTP status and the DESIGN.md error body. Thrown from
 * handlers (or used to fail their futures) and rendered in one place, {@link #render}.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiError.class);
  private final int status;
  private final String code;
  private final String field;

  public ApiError(int status, String code, String message) {
    this(status, code, message, null);
  }

  /** @param field the request-body field at fault, named in the error body as {@code field} */
  public ApiError(int status, String code, String message, String field) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static ApiError badRequest(String field, String problem) {
    return new ApiError(400, "invalid_request", field + ": " + problem, field);
  }

  public static ApiError notFound(String what) {
    return new ApiError(404, "not_found", what + " not found");
  }

  public static ApiError forbidden(String message) {
    return new ApiError(403, "forbidden", message);
  }

  /** Renders any failure: ApiErrors as themselves, anything else as a 500 that names the request id. */
  public static void render(RoutingContext ctx, Throwable failure) {
    String requestId = requestId(ctx);
    if (!(failure instanceof ApiError)) {
      LOG.error("control plane {} {} failed (request id {})", ctx.request().method(), ctx.request().path(), requestId, failure);
    }
    ApiError e =
        failure instanceof ApiError a
            ? a
            : new ApiError(500, "internal_error", "internal error; quote request id " + requestId);
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    ctx.response()
        .setStatusCode(e.status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store");
    if (e.status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    JsonObject body = new JsonObject().put("error", e.code).put("message", e.getMessage()).put("requestId", requestId);
    if (e.field != null) {
      body.put("field", e.field);
    }
    ctx.response().end(body.encode());
  }

  static String requestId(RoutingContext ctx) {
    String id = ctx.get("requestId");
    if (id == null) {
      id = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
      ctx.put("requestId", id);
    }
    return id;
  }
}
