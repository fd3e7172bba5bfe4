package io.airlock.gateway.insider;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.NodeConfig;
import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.QuotaPolicy;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.config.RequestPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The insider pattern the exchanges suffered, replayed: an agent holding a valid, approved grant
 * for 500 clients (a careless approval) reads them as fast as they can, 16 at a time, spread over
 * two gateway nodes that share one Redis. The quota on distinct clients (20 an hour) stops them at
 * exactly 20 records, the suspension lands on both nodes, and the audit trail tells the story.
 */
class InsiderScenarioTest {
  static final String PREFIX = RedisSupport.uniquePrefix();
  static final int CLIENTS = 500;
  static final int PER_HOUR = 20;

  @TempDir static Path dir;
  static RecordingBackend backend;
  static final List<AirlockNode> nodes = new ArrayList<>();
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    backend = RecordingBackend.start();
    backend.json("{\"id\":\"c\",\"name\":\"Ada\",\"email\":\"ada@example.com\"}");
    AirlockConfig base = TestConfigs.config(dir, backend.uri());
    RequestPolicy d = RequestPolicy.defaults();
    // the careless approval: one request may name 500 clients, and asking for them is not capped
    PolicyConfig policy =
        new PolicyConfig(
            Duration.ofMinutes(15), Duration.ofMinutes(60),
            new RequestPolicy(d.ticketPattern(), CLIENTS, d.clientPattern(), d.reasonMinLength(), d.reasonMaxLength(), d.pendingTimeout(), d.approvals()),
            new QuotaPolicy(PER_HOUR, 60, 1000),
            java.util.Set.of());
    RedisConfig redis = RedisConfig.of(RedisSupport.uri()).withKeyPrefix(PREFIX);
    for (String id : List.of("node-a", "node-b")) {
      nodes.add(AirlockNode.start(base.withPolicy(policy).withRedis(Optional.of(redis)).withNode(new NodeConfig(id)), Clock.systemUTC()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (AirlockNode n : nodes) {
      n.close();
    }
    if (backend != null) {
      backend.close();
    }
    RedisSupport.deleteKeys(RedisSupport.uri(), PREFIX);
  }

  @Test
  void anAgentRacingThrough500ApprovedClientsOnTwoNodesGetsTwentyAndIsSuspendedEverywhere() throws Exception {
    AirlockNode a = nodes.get(0);
    AirlockNode b = nodes.get(1);
    ControlPlaneClient alice = ControlPlaneClient.login(a.controlPlanePort(), "alice");
    ControlPlaneClient maria = ControlPlaneClient.login(b.controlPlanePort(), "maria");
    ControlPlaneClient samA = ControlPlaneClient.login(a.controlPlanePort(), "sam");
    ControlPlaneClient samB = ControlPlaneClient.login(b.controlPlanePort(), "sam");

    List<String> clients = new ArrayList<>();
    for (int i = 1; i <= CLIENTS; i++) {
      clients.add(String.format("c-%04d", i));
    }
    String id =
        alice.post("/api/requests", new JsonObject().put("ticket", "SUP-1234").put("clients", new JsonArray(clients))
            .put("reason", "bulk check of accounts for a campaign").put("durationMinutes", 60)).json().getString("id");
    assertThat(maria.post("/api/requests/" + id + "/approve", new JsonObject().put("comment", "ok")).json().getString("status"))
        .isEqualTo("approved");
    String grant = alice.get("/api/requests/" + id).json().getJsonObject("grant").getString("token");

    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> servedBy = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    Instant t0 = Instant.now();
    List<Future<?>> all = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        AirlockNode n = nodes.get(i % 2);
        String client = clients.get(i);
        all.add(
            pool.submit(
                () -> {
                  HttpResponse<String> r = read(n, client, grant);
                  String outcome = r.statusCode() == 200 ? "200" : r.statusCode() + " " + new JsonObject(r.body()).getString("error");
                  outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                  if (r.statusCode() == 200) {
                    servedBy.computeIfAbsent(n == a ? "node-a" : "node-b", k -> new AtomicInteger()).incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    Duration took = Duration.between(t0, Instant.now());
    Map<String, Integer> counts = new TreeMap<>();
    outcomes.forEach((k, v) -> counts.put(k, v.get()));
    System.out.println("INSIDER SCENARIO: " + CLIENTS + " reads in " + took.toMillis() + " ms over 2 nodes: " + counts
        + ", records served per node " + servedBy);

    // exactly the hourly quota of clients passed the check, whichever node took them (the shared
    // count says so); of those, the ones still in flight when the suspension landed were cut
    // (401) or refused before forwarding (403 agent_suspended), never delivered
    var hp = RedisSupport.uri().substring("redis://".length()).split(":");
    assertThat(RedisSupport.command(hp[0], Integer.parseInt(hp[1]), "ZCARD", PREFIX + "quota:{alice}")).isEqualTo((long) PER_HOUR);
    int delivered = counts.getOrDefault("200", 0);
    assertThat(delivered).isPositive().isLessThanOrEqualTo(PER_HOUR);
    assertThat(backend.seen().stream().map(s -> s.uri()).distinct().count()).isBetween((long) delivered, (long) PER_HOUR);
    assertThat(counts.keySet()).isSubsetOf("200", "401 grant_revoked", "403 quota_exceeded", "403 agent_suspended");
    assertThat(counts.get("403 quota_exceeded")).isPositive();

    // the suspension reached both nodes: even a client already read is refused on each
    String first = backend.seen().get(0).uri().substring("/clients/".length());
    for (AirlockNode n : nodes) {
      HttpResponse<String> r = read(n, first, grant);
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("agent_suspended");
    }
    assertThat(samA.get("/api/status").json().getJsonArray("suspendedAgents")).contains("alice");
    assertThat(samB.get("/api/status").json().getJsonArray("suspendedAgents")).contains("alice");

    // the audit trail: 20 access records, the alert with its numbers, the refusals
    JsonArray trail = samB.get("/api/audit?agent=alice&limit=1000").array();
    List<JsonObject> records = trail.stream().map(o -> (JsonObject) o).toList();
    assertThat(records.stream().filter(r -> r.getString("type").equals("access")).count()).isEqualTo(PER_HOUR);
    List<JsonObject> alerts = records.stream().filter(r -> r.getString("type").equals("security.alert")).toList();
    assertThat(alerts).isNotEmpty().allSatisfy(al -> {
      assertThat(al.getString("alert")).isEqualTo("quota_exceeded");
      assertThat(al.getString("clientsLastHour")).isEqualTo(Integer.toString(PER_HOUR));
      assertThat(al.getBoolean("suspended")).isTrue();
    });
    assertThat(alerts.size()).as("at most one alert per node for the incident").isLessThanOrEqualTo(2);
    Map<String, Long> denied =
        records.stream().filter(r -> r.getString("type").equals("denied")).collect(Collectors.groupingBy(r -> r.getString("error"), Collectors.counting()));
    assertThat(denied).containsKey("quota_exceeded");
    System.out.println("INSIDER SCENARIO audit: " + alerts.size() + " security.alert, denied records by code " + denied);
  }

  static HttpResponse<String> read(AirlockNode n, String client, String grant) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.dataPlanePort() + "/clients/" + client))
            .header("Authorization", "Bearer " + grant)
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
