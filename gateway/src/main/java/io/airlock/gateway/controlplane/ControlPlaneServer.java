package io.airlock.gateway.controlplane;

import io.airlock.gateway.TlsFiles;
import io.airlock.policy.config.ListenerConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The control plane (default :8081). For now it serves what other parties need from a node:
 * the public grant keys, liveness and readiness, Prometheus metrics and the UI's static files.
 */
public final class ControlPlaneServer {
  private ControlPlaneServer() {}

  /**
   * @param jwks the public JWK Set JSON
   * @param ready true while this node may serve data-plane traffic (revocation state fresh)
   * @param tls the pair start-up checked for {@code listen.tls()}, served as those bytes
   */
  public static Future<HttpServer> start(
      Vertx vertx,
      ListenerConfig listen,
      Optional<TlsFiles.CheckedPair> tls,
      Supplier<String> jwks,
      BooleanSupplier ready,
      PrometheusMeterRegistry registry,
      Consumer<Router> api) {
    Router router = Router.router(vertx);
    // API bodies are small JSON documents; anything bigger is refused before it is buffered
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    api.accept(router);
    router.route("/api/*").last().failureHandler(ctx -> ApiError.render(ctx, ctx.failure() != null ? ctx.failure()
        : new ApiError(ctx.statusCode() == 413 ? 413 : ctx.statusCode(), ctx.statusCode() == 413 ? "body_too_large" : "invalid_request",
            ctx.statusCode() == 413 ? "request body over 64 KiB" : "request refused (HTTP " + ctx.statusCode() + ")")));
    router
        .get("/.well-known/jwks.json")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/jwk-set+json")
                    .putHeader("Cache-Control", "public, max-age=60")
                    .end(jwks.get()));
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "live")));
    router
        .get("/health/ready")
        .handler(
            ctx -> {
              boolean ok = ready.getAsBoolean();
              json(ctx, ok ? 200 : 503, new JsonObject().put("status", ok ? "ready" : "not_ready").put("ready", ok));
            });
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.route("/*").handler(StaticHandler.create("airlock-ui").setCachingEnabled(false));
    router
        .route()
        .last()
        .handler(
            ctx ->
                json(
                    ctx,
                    404,
                    new JsonObject()
                        .put("error", "not_found")
                        .put("message", "no such endpoint: " + ctx.request().path())));
    return vertx
        .createHttpServer(TlsFiles.serve(new HttpServerOptions().setHost(listen.host()).setPort(listen.port()), listen.tls(), tls))
        .requestHandler(router)
        .listen();
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
