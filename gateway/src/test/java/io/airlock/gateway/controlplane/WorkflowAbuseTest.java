package io.airlock.gateway.controlplane;

import io.airlock.gateway.testing.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.ControlPlaneClient.Reply;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.TestConfigs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An insider bending the request workflow rather than the protocol: replaying an approval,
 * approving what expired or was cancelled, racing approve/deny/cancel, asking past the maximum
 * duration, editing a request after approval, signing in as a look-alike of the requester.
 * A real node over HTTP, on a clock the test moves.
 */
class WorkflowAbuseTest {
  @TempDir static Path dir;
  static RecordingBackend backend;
  static AirlockNode node;
  static final MovableClock clock = new MovableClock(Instant.now());
  static ControlPlaneClient alice;
  static ControlPlaneClient maria;
  static ControlPlaneClient sam;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    backend = RecordingBackend.start();
    backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
    node = AirlockNode.start(TestConfigs.config(dir, backend.uri()), clock);
    int cp = node.controlPlanePort();
    alice = ControlPlaneClient.login(cp, "alice");
    maria = ControlPlaneClient.login(cp, "maria");
    sam = ControlPlaneClient.login(cp, "sam");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      node.close();
    } finally {
      backend.close();
    }
  }

  static String ask(String client, int minutes) throws Exception {
    Reply r = alice.post("/api/requests", body(client, minutes));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json().getString("id");
  }

  static JsonObject body(String client, int minutes) {
    return new JsonObject()
        .put("ticket", "SUP-4242")
        .put("clients", new JsonArray().add(client))
        .put("reason", "customer disputes a card payment")
        .put("durationMinutes", minutes);
  }

  static long grantsFor(String id) throws Exception {
    return maria.get("/api/grants").array().stream().filter(o -> id.equals(((JsonObject) o).getString("requestId"))).count();
  }

  @Test
  void replaying_an_approval_is_409_and_issues_no_second_grant() throws Exception {
    String id = ask("c-0101", 15);
    Reply first = maria.post("/api/requests/" + id + "/approve", new JsonObject());
    assertThat(first.status()).isEqualTo(200);
    String jti = alice.get("/api/requests/" + id).json().getJsonObject("grant").getString("jti");

    Reply replay = maria.post("/api/requests/" + id + "/approve", new JsonObject());
    assertThat(replay.status()).as(replay.toString()).isEqualTo(409);
    // a second approver arriving late is no different
    assertThat(sam.post("/api/requests/" + id + "/approve", new JsonObject()).status()).isEqualTo(409);

    JsonObject after = alice.get("/api/requests/" + id).json();
    assertThat(after.getJsonArray("reviews")).hasSize(1);
    assertThat(after.getJsonObject("grant").getString("jti")).isEqualTo(jti);
    assertThat(grantsFor(id)).isEqualTo(1);
  }

  @Test
  void approving_or_denying_a_cancelled_request_is_409() throws Exception {
    String id = ask("c-0102", 15);
    assertThat(alice.post("/api/requests/" + id + "/cancel", new JsonObject()).status()).isEqualTo(200);

    assertThat(maria.post("/api/requests/" + id + "/approve", new JsonObject()).status()).isEqualTo(409);
    assertThat(maria.post("/api/requests/" + id + "/deny", new JsonObject().put("reason", "too late anyway")).status())
        .isEqualTo(409);
    JsonObject after = alice.get("/api/requests/" + id).json();
    assertThat(after.getString("status")).isEqualTo("cancelled");
    assertThat(after.containsKey("grant")).isFalse();
    assertThat(grantsFor(id)).isZero();
  }

  @Test
  void approving_a_request_past_its_pending_timeout_is_409_and_it_reads_as_expired() throws Exception {
    String id = ask("c-0103", 15);
    // the default pending timeout is 30 minutes; the clock moves, nothing sleeps
    clock.advance(Duration.ofMinutes(31));
    try {
      Reply late = maria.post("/api/requests/" + id + "/approve", new JsonObject());
      assertThat(late.status()).as(late.toString()).isEqualTo(409);
      JsonObject after = alice.get("/api/requests/" + id).json();
      assertThat(after.getString("status")).isEqualTo("expired");
      assertThat(after.containsKey("grant")).isFalse();
      assertThat(alice.post("/api/requests/" + id + "/cancel", new JsonObject()).status()).isEqualTo(409);
    } finally {
      clock.advance(Duration.ofMinutes(-31));
    }
  }

  @Test
  void racing_approve_deny_and_cancel_ends_in_exactly_one_final_state_and_at_most_one_grant() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      for (int round = 0; round < 8; round++) {
        String id = ask("c-02" + (10 + round), 15);
        List<Callable<Reply>> moves =
            List.of(
                () -> maria.post("/api/requests/" + id + "/approve", new JsonObject()),
                () -> sam.post("/api/requests/" + id + "/approve", new JsonObject()),
                () -> maria.post("/api/requests/" + id + "/deny", new JsonObject().put("reason", "not this one")),
                () -> sam.post("/api/requests/" + id + "/deny", new JsonObject().put("reason", "not this one")),
                () -> alice.post("/api/requests/" + id + "/cancel", new JsonObject()),
                () -> alice.post("/api/requests/" + id + "/cancel", new JsonObject()));
        List<Future<Reply>> replies = new ArrayList<>();
        for (Callable<Reply> m : moves) {
          replies.add(pool.submit(m));
        }
        int won = 0;
        for (Future<Reply> f : replies) {
          Reply r = f.get();
          assertThat(r.status()).as(r.toString()).isIn(200, 409);
          won += r.status() == 200 ? 1 : 0;
        }
        JsonObject after = alice.get("/api/requests/" + id).json();
        assertThat(won).as("round %d: exactly one move decides (%s)", round, after.getString("status")).isEqualTo(1);
        assertThat(after.getString("status")).isIn("approved", "denied", "cancelled");
        assertThat(after.containsKey("grant")).isEqualTo(after.getString("status").equals("approved"));
        assertThat(grantsFor(id)).isEqualTo(after.getString("status").equals("approved") ? 1 : 0);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void a_duration_one_minute_over_the_maximum_is_422_and_the_maximum_itself_is_accepted() throws Exception {
    // TestConfigs: maxGrantTtl 60 minutes
    Reply over = alice.post("/api/requests", body("c-0104", 61));
    assertThat(over.status()).as(over.toString()).isEqualTo(422);
    assertThat(over.error()).isEqualTo("policy_violation");
    assertThat(alice.post("/api/requests", body("c-0104", 60)).status()).isEqualTo(201);
  }

  @Test
  void an_approved_request_cannot_be_edited_to_cover_more_clients() throws Exception {
    String id = ask("c-0105", 15);
    // an approval that tries to widen the request on the way is refused outright (unknown fields)
    Reply widened = maria.post("/api/requests/" + id + "/approve",
        new JsonObject().put("clients", new JsonArray().add("c-0105").add("c-9999")).put("durationMinutes", 60));
    assertThat(widened.status()).as(widened.toString()).isEqualTo(400);
    assertThat(alice.get("/api/requests/" + id).json().getString("status")).isEqualTo("pending");
    assertThat(maria.post("/api/requests/" + id + "/approve", new JsonObject()).status()).isEqualTo(200);
    String token = alice.get("/api/requests/" + id).json().getJsonObject("grant").getString("token");

    // there is no edit endpoint: every method that could carry an edit is refused
    String edit = body("c-9999", 60).encode();
    for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.controlPlanePort() + "/api/requests/" + id))
                  .header("Authorization", "Bearer " + alice.token())
                  .header("Content-Type", "application/json")
                  .method(method, HttpRequest.BodyPublishers.ofString(edit))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("%s /api/requests/{id}: %s", method, r.body()).isIn(404, 405);
    }
    // nor can the requester re-open it by posting the same id as a new request
    Reply again = alice.post("/api/requests", body("c-9999", 60).put("id", id));
    assertThat(again.json().getString("id")).isNotEqualTo(id);

    JsonObject after = alice.get("/api/requests/" + id).json();
    assertThat(after.getJsonArray("clients").getList()).containsExactly("c-0105");
    assertThat(after.getString("status")).isEqualTo("approved");
    HttpResponse<String> out =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.dataPlanePort() + "/clients/c-9999"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(out.statusCode()).as("the grant still covers only the approved client").isEqualTo(403);
  }

  @Test
  void a_look_alike_of_the_requester_cannot_approve_their_request() throws Exception {
    String id = ask("c-0106", 15);
    for (String lookAlike : List.of("Alice", "ALICE", " alice", "alice ", "alice\u0000", "\u0430lice", "alice\u200b")) {
      Reply login = ControlPlaneClient.withToken(node.controlPlanePort(), null)
          .post("/api/demo/login", new JsonObject().put("user", lookAlike));
      if (login.status() == 200) {
        ControlPlaneClient who = ControlPlaneClient.withToken(node.controlPlanePort(), login.json().getString("token"));
        Reply r = who.post("/api/requests/" + id + "/approve", new JsonObject());
        assertThat(r.status()).as("'%s' signed in and tried to approve alice's request: %s", lookAlike, r).isIn(403, 404);
      } else {
        assertThat(login.status()).as("'%s': %s", lookAlike, login).isIn(400, 401, 403, 404);
      }
    }
    assertThat(alice.get("/api/requests/" + id).json().getString("status")).isEqualTo("pending");
  }

}
