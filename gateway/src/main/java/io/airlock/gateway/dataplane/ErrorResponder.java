package io.airlock.gateway.dataplane;

import io.airlock.policy.decision.Reason;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The one mapping from a refusal reason to HTTP, and the one error body shape. */
public final class ErrorResponder {
  private ErrorResponder() {}

  public static int status(Reason reason) {
    switch (reason) {
      case BAD_PATH:
      case BAD_REQUEST:
        return 400;
      case GRANT_MISSING:
      case GRANT_INVALID:
      case GRANT_EXPIRED:
      case GRANT_REVOKED:
        return 401;
      case UPGRADE_FORBIDDEN:
      case AGENT_SUSPENDED:
      case OUT_OF_SCOPE:
      case QUOTA_EXCEEDED:
      case FORBIDDEN:
        return 403;
      case NO_ROUTE:
      case NOT_FOUND:
        return 404;
      case CONFLICT:
        return 409;
      case POLICY_VIOLATION:
        return 422;
      case METHOD_NOT_ALLOWED:
        return 405;
      case BODY_TOO_LARGE:
        return 413;
      case TOO_MANY_INVALID_GRANTS:
      case TOO_MANY_IN_FLIGHT:
        return 429;
      case BACKEND_UNAVAILABLE:
      case UNMASKABLE_RESPONSE:
        return 502;
      case REVOCATION_STALE:
      case AUDIT_UNAVAILABLE:
      case QUOTA_UNAVAILABLE:
        return 503;
      case INTERNAL_ERROR:
      default:
        return 500;
    }
  }

  /**
   * Sends the error unless headers already left, in which case the connection is reset.
   *
   * @param close also announce {@code Connection: close} (the caller closes after the end)
   */
  public static io.vertx.core.Future<Void> send(
      HttpServerResponse response, Reason reason, String message, String requestId, boolean close) {
    if (response.headWritten()) {
      // a partial body must never look complete: cut the connection instead
      response.reset();
      return io.vertx.core.Future.succeededFuture();
    }
    if (response.ended() || response.closed()) {
      return io.vertx.core.Future.succeededFuture();
    }
    int status = status(reason);
    String body =
        new JsonObject()
            .put("error", reason.code())
            .put("message", message == null ? reason.code() : message)
            .put("requestId", requestId)
            .encode();
    // CORS headers were set for this origin before any check ran: the UI must be able to read
    // the refusal, or it cannot tell the agent why the viewer cleared
    String acao = response.headers().get("Access-Control-Allow-Origin");
    String expose = response.headers().get("Access-Control-Expose-Headers");
    response.headers().clear();
    if (acao != null) {
      response.putHeader("Access-Control-Allow-Origin", acao).putHeader("Vary", "Origin");
      if (expose != null) {
        response.putHeader("Access-Control-Expose-Headers", expose);
      }
    }
    if (close) {
      response.putHeader("Connection", "close");
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff");
    if (requestId != null) {
      response.putHeader("X-Airlock-Request-Id", requestId);
    }
    if (status == 401) {
      response.putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    if (reason == Reason.METHOD_NOT_ALLOWED) {
      response.putHeader("Allow", "GET, HEAD");
    }
    return response.end(body);
  }
}
