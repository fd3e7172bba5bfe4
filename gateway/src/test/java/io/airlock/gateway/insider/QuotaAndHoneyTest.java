package io.airlock.gateway.insider;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.gateway.testing.Poll;
import io.airlock.policy.config.QuotaPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node, in-process stores: the quota on distinct clients stops an agent at exactly the limit
 * and suspends them; a honey record reads as an ordinary refusal but suspends and alerts; a
 * request naming a honey record goes through while security alone is told.
 */
class QuotaAndHoneyTest {
  static final String HONEY = "c-0137";

  @TempDir Path dir;
  GatewayHarness gw;
  ControlPlaneClient alice;
  ControlPlaneClient maria;
  ControlPlaneClient sam;

  @BeforeEach
  void start() throws Exception {
    gw = GatewayHarness.start(dir, c -> c.withPolicy(c.policy().withQuotas(new QuotaPolicy(3, 5, 6)).withHoneyClients(Set.of(HONEY))));
    gw.backend.json("{\"id\":\"x\",\"name\":\"Ada\"}");
    int cp = gw.node.controlPlanePort();
    alice = ControlPlaneClient.login(cp, "alice");
    maria = ControlPlaneClient.login(cp, "maria");
    sam = ControlPlaneClient.login(cp, "sam");
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
  }

  @Test
  void theFourthDistinctClientInAnHourIsRefusedAndTheAgentIsSuspended() throws Exception {
    String grant = gw.grant("c-1", "c-2", "c-3", "c-4", "c-5");
    for (String c : List.of("c-1", "c-2", "c-3", "c-1", "c-3")) {
      assertThat(gw.get("/clients/" + c, grant).statusCode()).as(c).isEqualTo(200);
    }
    HttpResponse<String> over = gw.get("/clients/c-4", grant);
    assertThat(over.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(over.body()).getString("error")).isEqualTo("quota_exceeded");
    assertThat(gw.backend.seen()).as("the refused read never reached the backend").hasSize(5);

    // suspended: even the clients already read are refused now
    HttpResponse<String> after = awaitStatus("/clients/c-1", grant, 403);
    assertThat(new JsonObject(after.body()).getString("error")).isEqualTo("agent_suspended");
    assertThat(sam.get("/api/status").json().getJsonArray("suspendedAgents")).contains("alice");

    JsonObject alert = awaitAudit(r -> "security.alert".equals(r.getString("type")));
    assertThat(alert.getString("alert")).isEqualTo("quota_exceeded");
    assertThat(alert.getString("agent")).isEqualTo("alice");
    assertThat(alert.getString("client")).isEqualTo("c-4");
    assertThat(alert.getString("limit")).isEqualTo("3");
    assertThat(alert.getBoolean("suspended")).isTrue();
  }

  @Test
  void readingAHoneyRecordLooksLikeAnyRefusalButSuspendsAndAlerts() throws Exception {
    String grant = gw.grant("c-1", HONEY);
    HttpResponse<String> notGranted = gw.get("/clients/c-9", grant);
    HttpResponse<String> honey = gw.get("/clients/" + HONEY, grant);

    assertThat(honey.statusCode()).isEqualTo(notGranted.statusCode()).isEqualTo(403);
    JsonObject h = new JsonObject(honey.body());
    JsonObject n = new JsonObject(notGranted.body());
    assertThat(h.getString("error")).isEqualTo(n.getString("error")).isEqualTo("out_of_scope");
    assertThat(h.getString("message")).isEqualTo(n.getString("message").replace("c-9", HONEY));
    assertThat(gw.backend.seen()).isEmpty();

    assertThat(new JsonObject(awaitStatus("/clients/c-1", grant, 403).body()).getString("error")).isEqualTo("agent_suspended");
    JsonObject alert = awaitAudit(r -> "security.alert".equals(r.getString("type")));
    assertThat(alert.getString("alert")).isEqualTo("honey_read");
    assertThat(alert.getString("client")).isEqualTo(HONEY);
  }

  @Test
  void aRequestNamingAHoneyRecordIsAcceptedAsUsualButSecurityIsAlertedAndOnlySecuritySeesTheFlag() throws Exception {
    var created = alice.post("/api/requests", ask("c-0030", HONEY));
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().getString("id");
    assertThat(created.json().containsKey("honey")).isFalse();

    JsonObject alert = awaitAudit(r -> "security.alert".equals(r.getString("type")));
    assertThat(alert.getString("alert")).isEqualTo("honey_requested");
    assertThat(alert.getString("requestId")).isEqualTo(id);
    assertThat(alert.getBoolean("suspended")).isFalse();

    JsonObject managerView = maria.get("/api/requests/" + id).json();
    assertThat(managerView.containsKey("honey")).isFalse();
    assertThat(managerView.encode()).doesNotContain("honey");
    assertThat(alice.get("/api/requests/" + id).json().encode()).doesNotContain("honey");
    JsonObject securityView = sam.get("/api/requests/" + id).json();
    assertThat(securityView.getBoolean("honey")).isTrue();
    assertThat(securityView.getJsonArray("honeyClients")).containsExactly(HONEY);
    assertThat(sam.get("/api/requests?status=pending").array().stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("id").equals(id)).findFirst().orElseThrow().getBoolean("honey")).isTrue();
    // alice is not suspended by asking: she may have been sent there by a crafted ticket
    assertThat(sam.get("/api/status").json().getJsonArray("suspendedAgents")).doesNotContain("alice");
  }

  @Test
  void distinctClientsNamedInRequestsAreCappedPerDay() throws Exception {
    assertThat(alice.post("/api/requests", ask("c-1", "c-2", "c-3", "c-4")).status()).isEqualTo(201);
    assertThat(alice.post("/api/requests", ask("c-1", "c-2")).status()).as("the same clients again are free").isEqualTo(201);
    var over = alice.post("/api/requests", ask("c-5", "c-6", "c-7"));
    assertThat(over.status()).isEqualTo(422);
    assertThat(over.error()).isEqualTo("quota_exceeded");
    assertThat(over.json().getString("field")).isEqualTo("clients");
    assertThat(alice.post("/api/requests", ask("c-5", "c-6")).status()).as("the refused one counted nothing").isEqualTo(201);
  }

  @Test
  void approversSeeRiskAndTheRequesterDoesNot() throws Exception {
    String grant = gw.grant("c-1", "c-2");
    gw.get("/clients/c-1", grant);
    gw.get("/clients/c-2", grant);
    String denied = alice.post("/api/requests", ask("c-8")).json().getString("id");
    maria.post("/api/requests/" + denied + "/deny", new JsonObject().put("reason", "not for this ticket"));
    String id = alice.post("/api/requests", ask("c-9").put("unmask", new JsonArray().add("email"))).json().getString("id");

    JsonObject risk = maria.get("/api/requests/" + id).json().getJsonObject("risk");
    assertThat(risk.getInteger("distinctClients24h")).isEqualTo(2);
    assertThat(risk.getInteger("requestsToday")).isEqualTo(2);
    assertThat(risk.getInteger("deniedThisWeek")).isEqualTo(1);
    assertThat(risk.getJsonArray("unmask")).containsExactly("email");
    assertThat(risk.containsKey("outsideUsualHours")).isTrue();
    JsonObject inList = maria.get("/api/requests?status=pending").array().stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("id").equals(id)).findFirst().orElseThrow();
    assertThat(inList.getJsonObject("risk")).isEqualTo(risk);
    assertThat(alice.get("/api/requests/" + id).json().containsKey("risk")).isFalse();
  }

  static JsonObject ask(String... clients) {
    return new JsonObject()
        .put("ticket", "SUP-1234")
        .put("clients", new JsonArray(List.of(clients)))
        .put("reason", "customer called about a failed card payment")
        .put("durationMinutes", 15);
  }

  HttpResponse<String> awaitStatus(String path, String grant, int status) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
    HttpResponse<String> r = gw.get(path, grant);
    while (r.statusCode() != status && Instant.now().isBefore(deadline)) {
      Poll.step();
      r = gw.get(path, grant);
    }
    return r;
  }

  JsonObject awaitAudit(Predicate<JsonObject> match) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
    while (true) {
      JsonArray records = sam.get("/api/audit?limit=500").array();
      for (Object o : records) {
        if (match.test((JsonObject) o)) {
          return (JsonObject) o;
        }
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("no matching audit record in " + records.encodePrettily());
      }
    }
  }
}
