package io.airlock.gateway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.GatewayHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/events}: live updates, filtered by who may see them. */
class EventsTest {
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayHarness.start(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  /** Opens a stream and collects its event lines in the background. */
  static BlockingQueue<String> stream(ControlPlaneClient who) throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    HttpResponse<java.io.InputStream> r =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.node.controlPlanePort() + "/api/events"))
                    .header("Authorization", "Bearer " + who.token())
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (line.startsWith("event:") || line.startsWith("data:")) {
                    lines.add(line);
                  }
                }
              } catch (Exception closed) {
                // the test is over or the server closed the stream
              }
            });
    t.setDaemon(true);
    t.start();
    return lines;
  }

  static String next(BlockingQueue<String> q, String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      String l = q.poll(100, TimeUnit.MILLISECONDS);
      if (l != null && l.startsWith(prefix)) {
        return l;
      }
    }
    return null;
  }

  @Test
  void managers_of_the_team_see_new_requests_live_and_other_teams_do_not() throws Exception {
    int cp = gw.node.controlPlanePort();
    ControlPlaneClient alice = ControlPlaneClient.login(cp, "alice");
    BlockingQueue<String> maria = stream(ControlPlaneClient.login(cp, "maria"));
    BlockingQueue<String> omar = stream(ControlPlaneClient.login(cp, "omar"));
    BlockingQueue<String> bob = stream(ControlPlaneClient.login(cp, "bob"));

    String id =
        alice
            .post(
                "/api/requests",
                new JsonObject()
                    .put("ticket", "SUP-77")
                    .put("clients", new JsonArray(List.of("c-0001")))
                    .put("reason", "customer asked about a refund"))
            .json()
            .getString("id");

    assertThat(next(maria, "event:")).isEqualTo("event: request.created");
    assertThat(next(maria, "data:")).contains(id);
    // another team's manager and another agent get nothing about alice's request
    assertThat(next(omar, "event: request")).isNull();
    assertThat(next(bob, "event: request")).isNull();
  }

  @Test
  void kills_and_suspensions_reach_those_affected_without_who_did_it_or_why() throws Exception {
    int cp = gw.node.controlPlanePort();
    ControlPlaneClient sam = ControlPlaneClient.login(cp, "sam");
    BlockingQueue<String> security = stream(sam);
    BlockingQueue<String> bob = stream(ControlPlaneClient.login(cp, "bob"));
    BlockingQueue<String> maria = stream(ControlPlaneClient.login(cp, "maria"));
    String why = "bob tripped honey record c-0137";

    assertThat(sam.post("/api/agents/bob/suspend", new JsonObject().put("reason", why)).status()).isEqualTo(200);
    try {
      assertThat(next(security, "event: agent_suspended")).isNotNull();
      assertThat(next(security, "data:")).contains(why).contains("sam");
      // the suspension cuts bob's stream (his page learns from agent_state when it reconnects);
      // whatever reached it before the cut must not say why
      assertThat(next(bob, "data:")).satisfiesAnyOf(
          line -> assertThat(line).isNull(), line -> assertThat(line).doesNotContain("honey").doesNotContain("sam"));
      assertThat(next(maria, "event: agent_suspended")).as("another team's business").isNull();
    } finally {
      assertThat(sam.post("/api/agents/bob/resume", new JsonObject().put("reason", "cleared")).status()).isEqualTo(200);
    }
    bob = stream(ControlPlaneClient.login(cp, "bob"));
    assertThat(next(bob, "data:")).as("greeting").contains("agent_state").doesNotContain("cleared");

    assertThat(sam.post("/api/kill-all", new JsonObject().put("reason", why)).status()).isEqualTo(200);
    assertThat(next(security, "event: kill_all")).isNotNull();
    assertThat(next(security, "data:")).contains(why);
    assertThat(next(maria, "event: kill_all")).as("a manager learns every grant died").isNotNull();
    assertThat(next(maria, "data:")).contains("epoch").doesNotContain("honey").doesNotContain("sam");
    // an agent's stream is cut by the kill (the page reconnects and refreshes); what reached it first
    // must not say why either
    assertThat(next(bob, "data:")).satisfiesAnyOf(
        line -> assertThat(line).isNull(), line -> assertThat(line).doesNotContain("honey").doesNotContain("sam"));
  }

  @Test
  void a_revocation_by_security_reaches_the_agent_without_who_or_why_and_a_managers_with_both() throws Exception {
    int cp = gw.node.controlPlanePort();
    ControlPlaneClient alice = ControlPlaneClient.login(cp, "alice");
    ControlPlaneClient maria = ControlPlaneClient.login(cp, "maria");
    ControlPlaneClient sam = ControlPlaneClient.login(cp, "sam");
    String byManager = grantJti(alice, maria, "c-0011");
    String bySecurity = grantJti(alice, maria, "c-0012");
    BlockingQueue<String> stream = stream(alice);

    assertThat(maria.post("/api/grants/" + byManager + "/revoke", new JsonObject().put("reason", "ticket closed")).status())
        .isEqualTo(200);
    assertThat(next(stream, "event: grant.revoked")).isNotNull();
    assertThat(next(stream, "data:")).contains(byManager).contains("maria").contains("ticket closed");

    assertThat(sam.post("/api/grants/" + bySecurity + "/revoke", new JsonObject().put("reason", "alice read honey c-0137"))
        .status()).isEqualTo(200);
    assertThat(next(stream, "event: grant.revoked")).isNotNull();
    assertThat(next(stream, "data:")).contains(bySecurity).doesNotContain("sam").doesNotContain("honey");
  }

  private static String grantJti(ControlPlaneClient agent, ControlPlaneClient approver, String client) throws Exception {
    String id = agent.post("/api/requests", new JsonObject().put("ticket", "SUP-9").put("clients", new JsonArray(List.of(client)))
        .put("reason", "customer called")).json().getString("id");
    assertThat(approver.post("/api/requests/" + id + "/approve", new JsonObject().put("comment", "ok")).status()).isEqualTo(200);
    return agent.get("/api/requests/" + id).json().getJsonObject("grant").getString("jti");
  }
}
