package io.airlock.gateway.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.ControlPlaneClient.Reply;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.gateway.testing.Wire;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.NodeConfig;
import io.airlock.policy.config.RedisConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three gateway nodes (each its own Vert.x, its own Redis connections) on one Redis, driven over
 * HTTP as the people who use them: security kills on node A, and nodes B and C must stop every
 * old grant, cut what is streaming, and keep working for new grants.
 */
class KillSwitchTest {
  static final String PREFIX = RedisSupport.uniquePrefix();
  static final Duration PROPAGATION = Duration.ofSeconds(5);

  @TempDir static Path dir;
  static RecordingBackend backend;
  static final List<AirlockNode> nodes = new ArrayList<>();
  static AirlockNode a;
  static AirlockNode b;
  static AirlockNode c;
  static ControlPlaneClient sam;
  static ControlPlaneClient maria;
  static ControlPlaneClient alice;
  static ControlPlaneClient bob;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeAll
  static void start() throws Exception {
    backend = RecordingBackend.start();
    backend.respond(KillSwitchTest::answer);
    AirlockConfig base = TestConfigs.config(dir, backend.uri());
    RedisConfig redis = RedisConfig.of(RedisSupport.uri()).withKeyPrefix(PREFIX);
    for (String id : List.of("node-a", "node-b", "node-c")) {
      nodes.add(AirlockNode.start(forNode(base, id, redis), Clock.systemUTC()));
    }
    a = nodes.get(0);
    b = nodes.get(1);
    c = nodes.get(2);
    // each person signs in where they work: the shared store makes it one system
    sam = ControlPlaneClient.login(a.controlPlanePort(), "sam");
    maria = ControlPlaneClient.login(b.controlPlanePort(), "maria");
    alice = ControlPlaneClient.login(c.controlPlanePort(), "alice");
    bob = ControlPlaneClient.login(a.controlPlanePort(), "bob");
  }

  @AfterAll
  static void stop() throws Exception {
    pool.shutdownNow();
    for (AirlockNode n : nodes) {
      n.close();
    }
    if (backend != null) {
      backend.close();
    }
    RedisSupport.deleteKeys(RedisSupport.uri(), PREFIX);
  }

  static AirlockConfig forNode(AirlockConfig base, String id, RedisConfig redis) {
    return new AirlockConfig(
        base.configDir(), new NodeConfig(id), base.dataPlane(), base.controlPlane(), base.grants(), base.revocation(),
        base.identity(), base.accessLog(), base.routes(), base.maskingProfiles(), base.policy(), base.audit(),
        Optional.of(redis));
  }

  /** {@code /clients/c-slow} streams a JSON array for 20 s; every other client is one record. */
  private static void answer(HttpServerRequest req) {
    HttpServerResponse resp = req.response().putHeader("Content-Type", "application/json");
    if (!req.uri().contains("c-slow")) {
      resp.end("{\"id\":\"c-0001\",\"name\":\"Ada\",\"email\":\"ada@example.com\"}");
      return;
    }
    resp.setChunked(true).write("[");
    AtomicLong left = new AtomicLong(1000);
    long timer =
        backend
            .vertx()
            .setPeriodic(
                20,
                id -> {
                  if (left.decrementAndGet() > 0) {
                    resp.write("{\"id\":\"c-slow\",\"name\":\"Ada\",\"email\":\"ada@example.com\"},");
                  } else {
                    backend.vertx().cancelTimer(id);
                    resp.end("{}]");
                  }
                });
    resp.closeHandler(v -> backend.vertx().cancelTimer(timer));
  }

  /** Asks for access as {@code agent}, has maria approve on another node, returns the grant. */
  static JsonObject grant(ControlPlaneClient agent, String... clients) throws Exception {
    Reply created =
        agent.post(
            "/api/requests",
            new JsonObject()
                .put("ticket", "SUP-4242")
                .put("clients", new JsonArray(List.of(clients)))
                .put("reason", "customer asked about a blocked withdrawal")
                .put("durationMinutes", 15));
    assertThat(created.status()).as("request: " + created).isEqualTo(201);
    String id = created.json().getString("id");
    Reply approved = maria.post("/api/requests/" + id + "/approve", new JsonObject().put("comment", "ok"));
    assertThat(approved.status()).as("approval: " + approved).isEqualTo(200);
    return agent.get("/api/requests/" + id).json().getJsonObject("grant");
  }

  static HttpResponse<String> read(AirlockNode node, String token, String client) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.dataPlanePort() + "/clients/" + client))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(20))
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  /** "ok" for a 200, otherwise the status and error code the agent got. */
  static String outcome(AirlockNode node, String token) {
    try {
      HttpResponse<String> r = read(node, token, "c-0001");
      return r.statusCode() == 200 ? "ok" : r.statusCode() + " " + new JsonObject(r.body()).getString("error");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void everywhere(String token, String expected) {
    for (AirlockNode n : nodes) {
      assertThat(Wire.poll(PROPAGATION, () -> outcome(n, token).equals(expected)))
          .as(n.config().node().id() + " answers " + expected + " (last: " + outcome(n, token) + ")")
          .isTrue();
    }
  }

  static Reply killAll(boolean lockdown) throws Exception {
    Reply r = sam.post("/api/kill-all", new JsonObject().put("reason", "suspected data theft").put("lockdown", lockdown));
    assertThat(r.status()).as("kill-all: " + r).isEqualTo(200);
    return r;
  }

  @Test
  void killAllOnOneNodeStopsOldGrantsOnEveryNodeBeforeItAnswersAndCutsAStreamOnAnother() throws Exception {
    String old = grant(alice, "c-0001", "c-slow").getString("token");
    for (AirlockNode n : nodes) {
      assertThat(outcome(n, old)).isEqualTo("ok");
    }

    // a long masked response streaming to alice through node C
    Socket socket = new Socket("127.0.0.1", c.dataPlanePort());
    socket.setSoTimeout(30_000);
    Counting in = new Counting(socket.getInputStream());
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET /clients/c-slow HTTP/1.1\r\nHost: airlock\r\nAuthorization: Bearer " + old + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    Future<Wire.Response> streaming = pool.submit(() -> Wire.read(in, false));
    assertThat(Wire.poll(PROPAGATION, () -> in.count.get() > 1000)).as("the stream is flowing").isTrue();

    Reply kill = killAll(false);
    long answeredAt = System.nanoTime();
    assertThat(kill.json().getString("acknowledged")).isEqualTo("3/3");
    long epoch = kill.json().getLong("epoch");
    // acknowledged means applied: no waiting, every node refuses the old grant right now
    for (AirlockNode n : nodes) {
      assertThat(outcome(n, old)).as(n.config().node().id()).isEqualTo("401 grant_revoked");
      assertThat(n.revocations().epoch()).isEqualTo(epoch);
    }

    Wire.Response cut = streaming.get(5, TimeUnit.SECONDS);
    long cutMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredAt);
    socket.close();
    assertThat(cut.status).isEqualTo(200);
    assertThat(cut.complete).as("the agent must see the body was cut, not a short complete one").isFalse();
    assertThat(cut.ending).isIn("reset", "eof");
    assertThat(cutMs).as("cut soon after the kill (the stream had 20 s to go)").isLessThan(2_000);

    // no lockdown: the next grant is issued at the new epoch and works everywhere
    String fresh = grant(alice, "c-0001").getString("token");
    everywhere(fresh, "ok");
  }

  @Test
  void inLockdownNoGrantIsIssuedUntilSecurityLiftsIt() throws Exception {
    String before = grant(bob, "c-0001").getString("token");
    Reply kill = killAll(true);
    assertThat(kill.json().getString("acknowledged")).isEqualTo("3/3");
    try {
      for (AirlockNode n : nodes) {
        assertThat(outcome(n, before)).isEqualTo("401 grant_revoked");
      }
      String id =
          bob.post(
                  "/api/requests",
                  new JsonObject()
                      .put("ticket", "SUP-4243")
                      .put("clients", new JsonArray().add("c-0001"))
                      .put("reason", "customer asked about a blocked withdrawal")
                      .put("durationMinutes", 15))
              .json()
              .getString("id");
      Reply refused = maria.post("/api/requests/" + id + "/approve", new JsonObject());
      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.error()).isEqualTo("lockdown");
      JsonObject status = sam.get("/api/status").json();
      assertThat(status.getBoolean("lockdown")).isTrue();
      assertThat(status.getJsonArray("nodes")).hasSize(3);
    } finally {
      assertThat(sam.post("/api/lockdown/lift", new JsonObject()).status()).isEqualTo(200);
    }
    assertThat(Wire.poll(PROPAGATION, () -> nodes.stream().noneMatch(n -> n.revocations().current().lockdown()))).isTrue();
    everywhere(grant(bob, "c-0001").getString("token"), "ok");
  }

  @Test
  void revokingOneGrantKillsOnlyThatGrantOnEveryNode() throws Exception {
    JsonObject doomed = grant(alice, "c-0001");
    String kept = grant(bob, "c-0001").getString("token");
    everywhere(doomed.getString("token"), "ok");

    Reply r = maria.post("/api/grants/" + doomed.getString("jti") + "/revoke", new JsonObject().put("reason", "ticket closed"));
    assertThat(r.status()).isEqualTo(200);
    everywhere(doomed.getString("token"), "401 grant_revoked");
    for (AirlockNode n : nodes) {
      assertThat(outcome(n, kept)).isEqualTo("ok");
    }
  }

  @Test
  void aSuspendedAgentIsRefusedOnEveryNodeUntilResumed() throws Exception {
    String alices = grant(alice, "c-0001").getString("token");
    String bobs = grant(bob, "c-0001").getString("token");
    assertThat(sam.post("/api/agents/alice/suspend", new JsonObject().put("reason", "odd access pattern")).status())
        .isEqualTo(200);
    try {
      everywhere(alices, "403 agent_suspended");
      for (AirlockNode n : nodes) {
        assertThat(outcome(n, bobs)).isEqualTo("ok");
      }
    } finally {
      assertThat(sam.post("/api/agents/alice/resume", new JsonObject()).status()).isEqualTo(200);
    }
    everywhere(alices, "ok");
  }

  /** Counts bytes as the agent receives them, so the test knows the stream is under way. */
  static final class Counting extends FilterInputStream {
    final AtomicLong count = new AtomicLong();

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int c = super.read();
      if (c >= 0) {
        count.incrementAndGet();
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count.addAndGet(n);
      }
      return n;
    }
  }
}
