package io.airlock.gateway.tickets;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.ControlPlaneClient.Reply;
import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.policy.config.TicketsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An access request must match its ticket: open, assigned to the requester, naming every client.
 * A ticketing system that cannot be asked refuses the request (fail closed).
 */
class TicketBindingTest {
  @TempDir Path dir;
  Vertx vertx;
  HttpServer ticketing;
  final Map<String, JsonObject> tickets = new ConcurrentHashMap<>();
  final AtomicInteger hits = new AtomicInteger();

  @BeforeEach
  void startTicketing() throws Exception {
    vertx = Vertx.vertx();
    ticketing =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  hits.incrementAndGet();
                  String id = req.path().substring("/api/tickets/".length());
                  if (id.equals("SUP-9999")) {
                    return; // never answers
                  }
                  JsonObject t = tickets.get(id);
                  if (t == null) {
                    req.response().setStatusCode(404).end();
                  } else {
                    req.response().putHeader("Content-Type", "application/json").end(t.encode());
                  }
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static JsonObject ask(String ticket, String... clients) {
    return new JsonObject()
        .put("ticket", ticket)
        .put("clients", new JsonArray(List.of(clients)))
        .put("reason", "customer called about a failed card payment");
  }

  static JsonObject ticket(String status, String assignee, String... clients) {
    return new JsonObject().put("status", status).put("assignee", assignee).put("clients", new JsonArray(List.of(clients)));
  }

  TicketsConfig http(URI base) {
    return new TicketsConfig(
        TicketsConfig.Mode.HTTP, Optional.empty(), Optional.of(new TicketsConfig.Http(base, Duration.ofMillis(500), Duration.ofMinutes(1))));
  }

  @Test
  void fileModeChecksStatusAssigneeAndEveryClient() throws Exception {
    Files.writeString(
        dir.resolve("tickets.yaml"),
        """
        tickets:
          - { id: SUP-1234, status: open, assignee: alice, clients: [c-0001, c-0002] }
          - { id: SUP-1236, status: closed, assignee: alice, clients: [c-0020] }
          - { id: SUP-1235, status: open, assignee: bob, clients: [c-0010] }
        """);
    TicketsConfig file = new TicketsConfig(TicketsConfig.Mode.FILE, Optional.of(dir.resolve("tickets.yaml")), Optional.empty());
    try (GatewayHarness gw = GatewayHarness.start(dir, c -> c.withTickets(file))) {
      ControlPlaneClient alice = ControlPlaneClient.login(gw.node.controlPlanePort(), "alice");
      assertThat(alice.post("/api/requests", ask("SUP-1234", "c-0001", "c-0002")).status()).isEqualTo(201);
      assertThat(alice.post("/api/requests", ask("SUP-1234", "c-0002")).status()).isEqualTo(201);
      assertMismatch(alice.post("/api/requests", ask("SUP-1236", "c-0020")), "closed, not open");
      assertMismatch(alice.post("/api/requests", ask("SUP-1235", "c-0010")), "not assigned to alice");
      assertMismatch(alice.post("/api/requests", ask("SUP-1234", "c-0001", "c-0003")), "does not name client(s) c-0003");
      assertMismatch(alice.post("/api/requests", ask("SUP-4242", "c-0001")), "does not exist");
    }
  }

  @Test
  void httpModeAsksTheTicketingSystemAndCachesItsAnswer() throws Exception {
    tickets.put("SUP-1234", ticket("open", "alice", "c-0001", "c-0002"));
    tickets.put("SUP-1300", ticket("resolved", "alice", "c-0001"));
    URI base = URI.create("http://127.0.0.1:" + ticketing.actualPort() + "/api");
    try (GatewayHarness gw = GatewayHarness.start(dir, c -> c.withTickets(http(base)))) {
      ControlPlaneClient alice = ControlPlaneClient.login(gw.node.controlPlanePort(), "alice");
      assertThat(alice.post("/api/requests", ask("SUP-1234", "c-0001")).status()).isEqualTo(201);
      assertMismatch(alice.post("/api/requests", ask("SUP-1300", "c-0001")), "resolved, not open");
      assertMismatch(alice.post("/api/requests", ask("SUP-1234", "c-0009")), "c-0009");
      // the ticket closes, but the cached answer (cacheTtl 1m) is still the open ticket
      tickets.put("SUP-1234", ticket("closed", "alice", "c-0001", "c-0002"));
      int before = hits.get();
      assertThat(alice.post("/api/requests", ask("SUP-1234", "c-0002")).status()).isEqualTo(201);
      assertThat(hits.get()).isEqualTo(before);

      Reply slow = alice.post("/api/requests", ask("SUP-9999", "c-0001"));
      assertThat(slow.status()).isEqualTo(503);
      assertThat(slow.error()).isEqualTo("ticketing_unavailable");
      assertThat(slow.json().getString("message")).contains("SUP-9999").contains("nothing was requested");
    }
  }

  @Test
  void anUnreachableTicketingSystemRefusesEveryRequest() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    URI base = URI.create("http://127.0.0.1:" + closedPort);
    try (GatewayHarness gw = GatewayHarness.start(dir, c -> c.withTickets(http(base)))) {
      ControlPlaneClient alice = ControlPlaneClient.login(gw.node.controlPlanePort(), "alice");
      Reply r = alice.post("/api/requests", ask("SUP-1234", "c-0001"));
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.error()).isEqualTo("ticketing_unavailable");
      assertThat(alice.get("/api/requests").array()).as("nothing was stored").isEmpty();
    }
  }

  static void assertMismatch(Reply r, String why) {
    assertThat(r.status()).as(r.toString()).isEqualTo(422);
    assertThat(r.error()).isEqualTo("ticket_mismatch");
    assertThat(r.json().getString("field")).isEqualTo("ticket");
    assertThat(r.json().getString("message")).contains(why);
  }
}
