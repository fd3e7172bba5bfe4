package io.airlock.gateway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.audit.AuditFeed;
import io.airlock.gateway.audit.AuditSearches;
import io.airlock.gateway.audit.RingAuditFeed;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/audit} while the node is already running as many searches as it allows. */
class AuditRoutesBusyTest {
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void a_third_search_at_once_is_a_429_naming_the_problem_and_the_next_one_after_is_answered() throws Exception {
    RingAuditFeed feed = new RingAuditFeed(100);
    feed.mirror(new JsonObject().put("ts", "2026-11-26T09:00:00Z").put("type", "denied").encode());
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.put(StaffContext.KEY, new Staff("sam", Set.of(Role.SECURITY), Set.of()));
      ctx.next();
    });
    new AuditRoutes(vertx, feed).mount(router);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    CountDownLatch entered = new CountDownLatch(AuditSearches.IN_FLIGHT);
    List<CompletableFuture<AuditFeed.Answer>> held = new ArrayList<>();
    for (int i = 0; i < AuditSearches.IN_FLIGHT; i++) {
      held.add(feed.recent(new AuditFeed.Query(1, r -> {
        entered.countDown();
        try {
          return release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }, Optional.empty())).toCompletableFuture());
    }
    assertThat(entered.await(30, TimeUnit.SECONDS)).as("both held searches started").isTrue();

    HttpResponse<String> busy = get(server, "/api/audit?type=denied");
    assertThat(busy.statusCode()).isEqualTo(429);
    assertThat(busy.headers().firstValue("Retry-After")).contains("1");
    JsonObject body = new JsonObject(busy.body());
    assertThat(body.getString("error")).isEqualTo("audit_search_busy");
    assertThat(body.getString("message")).isEqualTo("another audit search is running on this node; try again in a moment");

    release.countDown();
    for (CompletableFuture<AuditFeed.Answer> h : held) {
      h.get(30, TimeUnit.SECONDS);
    }
    HttpResponse<String> after = get(server, "/api/audit?type=denied");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body()).contains("\"denied\"");
  }

  private HttpResponse<String> get(HttpServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
