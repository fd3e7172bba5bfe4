package io.airlock.gateway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.ControlPlaneClient.Reply;
import io.airlock.gateway.testing.GatewayHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Just-in-time access end to end over real HTTP: agent asks, manager approves, the agent reads
 * in scope (masked) and is refused out of scope. In-process store; the Redis store runs the
 * same flow in the multi-node tests.
 */
class AccessFlowTest {
  @TempDir static Path dir;
  static GatewayHarness gw;
  static ControlPlaneClient alice;
  static ControlPlaneClient bob;
  static ControlPlaneClient maria;
  static ControlPlaneClient omar;
  static ControlPlaneClient sam;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayHarness.start(dir);
    gw.backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\",\"email\":\"ada@example.com\",\"ssn\":\"123-45-6789\"}");
    int cp = gw.node.controlPlanePort();
    alice = ControlPlaneClient.login(cp, "alice");
    bob = ControlPlaneClient.login(cp, "bob");
    maria = ControlPlaneClient.login(cp, "maria");
    omar = ControlPlaneClient.login(cp, "omar");
    sam = ControlPlaneClient.login(cp, "sam");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static JsonObject ask(String... clients) {
    return new JsonObject()
        .put("ticket", "SUP-1234")
        .put("clients", new JsonArray(List.of(clients)))
        .put("reason", "customer called about a failed card payment")
        .put("durationMinutes", 15);
  }

  @Test
  void agent_requests_manager_approves_agent_reads_in_scope_and_is_refused_out_of_scope() throws Exception {
    Reply created = alice.post("/api/requests", ask("c-0001"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().getString("status")).isEqualTo("pending");
    assertThat(created.json().getInteger("requiredApprovals")).isEqualTo(1);
    String id = created.json().getString("id");

    assertThat(maria.get("/api/requests?status=pending").array().stream().map(o -> ((JsonObject) o).getString("id")))
        .contains(id);
    // omar manages another team: he neither sees nor may decide alice's request
    assertThat(omar.get("/api/requests?status=pending").array().stream().map(o -> ((JsonObject) o).getString("id")))
        .doesNotContain(id);
    assertThat(omar.post("/api/requests/" + id + "/approve", new JsonObject()).status()).isEqualTo(404);

    Reply approved = maria.post("/api/requests/" + id + "/approve", new JsonObject().put("comment", "ok for SUP-1234"));
    assertThat(approved.status()).isEqualTo(200);
    assertThat(approved.json().getString("status")).isEqualTo("approved");
    assertThat(approved.json().getJsonObject("grant").containsKey("token")).as("only the requester sees the token").isFalse();

    JsonObject mine = alice.get("/api/requests/" + id).json();
    String token = mine.getJsonObject("grant").getString("token");
    assertThat(token).isNotBlank();

    HttpResponse<String> read = gw.get("/clients/c-0001", token);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).contains("Ada").doesNotContain("ada@example.com", "123-45-6789");
    assertThat(gw.backend.last().headers().get("X-Airlock-Ticket")).isEqualTo("SUP-1234");

    HttpResponse<String> out = gw.get("/clients/c-0002", token);
    assertThat(out.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(out.body()).getString("error")).isEqualTo("out_of_scope");

    JsonArray grants = maria.get("/api/grants").array();
    assertThat(grants.stream().map(o -> ((JsonObject) o).getString("requestId"))).contains(id);
  }

  @Test
  void a_denied_request_carries_the_managers_reason_and_gives_no_grant() throws Exception {
    String id = alice.post("/api/requests", ask("c-0003")).json().getString("id");
    Reply denied = maria.post("/api/requests/" + id + "/deny", new JsonObject().put("reason", "ticket is closed already"));
    assertThat(denied.status()).isEqualTo(200);
    JsonObject mine = alice.get("/api/requests/" + id).json();
    assertThat(mine.getString("status")).isEqualTo("denied");
    assertThat(mine.getString("decisionReason")).isEqualTo("ticket is closed already");
    assertThat(mine.containsKey("grant")).isFalse();
    assertThat(maria.post("/api/requests/" + id + "/approve", new JsonObject()).status()).isEqualTo(409);
  }

  @Test
  void nobody_approves_their_own_request_and_roles_are_enforced() throws Exception {
    String id = alice.post("/api/requests", ask("c-0004")).json().getString("id");
    Reply self = alice.post("/api/requests/" + id + "/approve", new JsonObject());
    assertThat(self.status()).isEqualTo(403);
    assertThat(bob.get("/api/requests/" + id).status()).as("another agent cannot even see it").isEqualTo(404);
    assertThat(maria.post("/api/requests", ask("c-0005")).status()).as("managers do not request").isEqualTo(403);
    assertThat(alice.post("/api/kill-all", new JsonObject().put("reason", "x")).status()).isEqualTo(403);
    assertThat(alice.get("/api/grants").status()).isEqualTo(403);
  }

  @Test
  void sensitive_classes_need_a_security_approver() throws Exception {
    String id = alice.post("/api/requests", ask("c-0006").put("unmask", new JsonArray().add("ssn"))).json().getString("id");
    Reply first = maria.post("/api/requests/" + id + "/approve", new JsonObject());
    assertThat(first.json().getString("status")).as("a manager alone is not enough for ssn").isEqualTo("pending");
    assertThat(first.json().getBoolean("securityApprovalRequired")).isTrue();
    Reply second = sam.post("/api/requests/" + id + "/approve", new JsonObject().put("comment", "verified"));
    assertThat(second.json().getString("status")).isEqualTo("approved");
  }

  @Test
  void invalid_bodies_name_the_field_and_policy_limits_are_422() throws Exception {
    Reply missing = alice.post("/api/requests", new JsonObject().put("ticket", "SUP-1").put("reason", "a long enough reason"));
    assertThat(missing.status()).isIn(400, 422);
    Reply badClass = alice.post("/api/requests", ask("c-0001").put("unmask", new JsonArray().add("password")));
    assertThat(badClass.status()).isEqualTo(400);
    assertThat(badClass.json().getString("field")).isEqualTo("unmask");
    Reply tooLong = alice.post("/api/requests", ask("c-0001").put("durationMinutes", 600));
    assertThat(tooLong.status()).isEqualTo(422);
    Reply notJson = alice.postRaw("/api/requests", "{\"ticket\":");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().getString("field")).isEqualTo("body");
    Reply unknown = alice.post("/api/requests", ask("c-0001").put("isAdmin", true));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().getString("field")).isEqualTo("isAdmin");
  }

  @Test
  void fifty_concurrent_approvals_make_one_decision_and_one_grant() throws Exception {
    String id = alice.post("/api/requests", ask("c-0007")).json().getString("id");
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        ControlPlaneClient who = i % 2 == 0 ? maria : sam;
        replies.add(pool.submit(() -> who.post("/api/requests/" + id + "/approve", new JsonObject())));
      }
      int ok = 0;
      for (Future<Reply> f : replies) {
        int s = f.get().status();
        assertThat(s).isIn(200, 409);
        ok += s == 200 ? 1 : 0;
      }
      assertThat(ok).as("exactly one approval completes the request").isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    JsonObject r = alice.get("/api/requests/" + id).json();
    assertThat(r.getString("status")).isEqualTo("approved");
    assertThat(r.getJsonArray("reviews")).hasSize(1);
  }

  @Test
  void revoking_a_grant_stops_it_on_the_data_plane() throws Exception {
    String id = alice.post("/api/requests", ask("c-0001")).json().getString("id");
    maria.post("/api/requests/" + id + "/approve", new JsonObject());
    JsonObject grant = alice.get("/api/requests/" + id).json().getJsonObject("grant");
    assertThat(gw.get("/clients/c-0001", grant.getString("token")).statusCode()).isEqualTo(200);

    Reply revoked = maria.post("/api/grants/" + grant.getString("jti") + "/revoke", new JsonObject().put("reason", "done"));
    assertThat(revoked.status()).isEqualTo(200);
    HttpResponse<String> after = gw.get("/clients/c-0001", grant.getString("token"));
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(after.body()).getString("error")).isEqualTo("grant_revoked");
  }

  @Test
  void staff_tokens_are_not_grants_and_grants_are_not_staff_tokens() throws Exception {
    HttpResponse<String> r = gw.get("/clients/c-0001", alice.token());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("grant_invalid");

    ControlPlaneClient withGrant = ControlPlaneClient.withToken(gw.node.controlPlanePort(), gw.grant("c-0001"));
    assertThat(withGrant.get("/api/requests").status()).isEqualTo(401);
    assertThat(alice.get("/api/requests").status()).isEqualTo(200);
  }
}
