package io.airlock.gateway.identity;

import io.airlock.policy.staff.Role;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code POST /api/demo/login {"user": "alice"}} → {@code {token, user, roles, teams,
 * expiresAt}}: demo identity's login, mounted only in demo mode.
 *
 * <p>The body must be sent as {@code application/json}: a browser cannot send that cross-site
 * without a CORS preflight, which the control plane never grants, so a web page elsewhere cannot
 * log a visitor in as someone.
 */
public final class DemoLogin {
  public static final String PATH = "/api/demo/login";
  static final int MAX_BODY_BYTES = 1024;

  private DemoLogin() {}

  public static void mount(Router router, DemoAuthenticator auth) {
    router
        .post(PATH)
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(ctx -> login(ctx, auth));
  }

  private static void login(RoutingContext ctx, DemoAuthenticator auth) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      ErrorBodies.send(ctx, 415, "unsupported_media_type", "send the body as application/json");
      return;
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    if (body == null) {
      ErrorBodies.send(ctx, 400, "bad_request", "body must be a JSON object {\"user\": \"<id>\"}");
      return;
    }
    Object user = body.getValue("user");
    if (!(user instanceof String u) || u.isBlank()) {
      ErrorBodies.send(ctx, 400, "bad_request", "user: required, the id of a demo user");
      return;
    }
    for (String field : body.fieldNames()) {
      if (!field.equals("user")) {
        ErrorBodies.send(ctx, 400, "bad_request", field + ": unknown field (only user)");
        return;
      }
    }
    auth.login(u).ifPresentOrElse(
        t ->
            ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(new JsonObject()
                    .put("token", t.token())
                    .put("user", t.staff().id())
                    .put("roles", new JsonArray(t.staff().roles().stream().map(Role::code).sorted().toList()))
                    .put("teams", new JsonArray(t.staff().teams().stream().sorted().toList()))
                    .put("expiresAt", t.expiresAt().toString())
                    .encode()),
        () -> ErrorBodies.send(ctx, 404, "unknown_user",
            "user: no demo user " + Unauthenticated.shown(u) + " (known: "
                + String.join(", ", auth.userIds()) + ")"));
  }
}
