package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.gateway.testing.RecordingBackend.Seen;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.gateway.testing.Wire;
import io.airlock.policy.grant.Action;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one agent (or one anonymous connection) can do to everyone else: hold connections open
 * by dribbling a request head (slowloris), or pile up requests on a slow backend. Each is
 * bounded and answered clearly, and other agents keep being served meanwhile. Header and body
 * size limits are in {@link ProtocolSmugglingTest} (431/414) and {@link DataPlaneTest} (413).
 */
class ResourceLimitsTest {
  @TempDir static Path dir;
  static GatewayHarness gw;
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  /** Backend requests parked (never answered) until the test lets them go. */
  static final List<HttpServerRequest> parked = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayHarness.start(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @BeforeEach
  void reset() {
    gw.backend.seen().clear();
    parked.clear();
    gw.backend.respond(
        r -> {
          if (r.uri().contains("hold=")) {
            parked.add(r);
          } else {
            r.response().putHeader("Content-Type", "application/json").end(DataPlaneTest.RECORD);
          }
        });
  }

  static String grantFor(String agent, String... clients) {
    return new GrantSigner(gw.node.keys(), TestConfigs.ISSUER, Clock.systemUTC())
        .sign(new GrantClaims(agent, "SUP-9", List.of(clients), Set.of(Action.READ), Set.of(), "req-9", List.of("maria"),
            gw.node.revocations().epoch(), Duration.ofMinutes(5)))
        .token();
  }

  static CompletableFuture<HttpResponse<String>> getAsync(String path, String token) {
    return http.sendAsync(
        HttpRequest.newBuilder(gw.data(path)).header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void an_agent_over_its_in_flight_limit_gets_429_and_other_agents_are_served() throws Exception {
    String alice = grantFor("alice", "c-0001");
    String bob = grantFor("bob", "c-0002");
    int limit = InFlightLimit.DEFAULT_PER_AGENT;
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    for (int i = 0; i < limit; i++) {
      held.add(getAsync("/clients/c-0001?hold=" + i, alice));
    }
    assertThat(Wire.poll(Duration.ofSeconds(20), () -> parked.size() == limit))
        .as("the backend holds all %d of alice's requests (has %d)", limit, parked.size())
        .isTrue();

    HttpResponse<String> over = getAsync("/clients/c-0001?hold=over", alice).get(20, TimeUnit.SECONDS);
    assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
    assertThat(new JsonObject(over.body()).getString("error")).isEqualTo("too_many_in_flight");

    HttpResponse<String> other = getAsync("/clients/c-0002", bob).get(20, TimeUnit.SECONDS);
    assertThat(other.statusCode()).as("bob is not held up by alice's backlog: " + other.body()).isEqualTo(200);
    assertThat(gw.backend.seen()).extracting(Seen::uri).doesNotContain("/clients/c-0001?hold=over");

    // the backend answers: every held request completes and alice's slots come back
    gw.backend.vertx().runOnContext(v -> parked.forEach(r -> r.response().putHeader("Content-Type", "application/json")
        .end(DataPlaneTest.RECORD)));
    for (CompletableFuture<HttpResponse<String>> f : held) {
      assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    // the slots are given back as each exchange completes, which may trail the agent's last byte
    assertThat(Wire.poll(Duration.ofSeconds(5), () -> { try { return gw.get("/clients/c-0001", alice).statusCode() == 200; } catch (Exception e) { return false; } }))
        .as("alice is served again once her requests completed")
        .isTrue();
  }

  @Test
  void slowloris_connections_do_not_stop_others_being_served_and_are_closed_after_the_head_timeout() throws Exception {
    // each connection dribbles a request head that never ends, one byte at a time
    byte[] head = ("GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nX-Slow: " + "a".repeat(200))
        .getBytes(StandardCharsets.ISO_8859_1);
    String token = grantFor("alice", "c-0001");
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", gw.dataPort()), 5000);
        slow.add(s);
      }
      long start = System.nanoTime();
      int sent = 0;
      boolean[] closed = new boolean[slow.size()];
      // dribble for as long as the gateway keeps the connections; others are served in between
      while (System.nanoTime() - start < Duration.ofSeconds(25).toNanos() && sent < head.length) {
        for (int i = 0; i < slow.size(); i++) {
          if (closed[i]) {
            continue;
          }
          try {
            OutputStream out = slow.get(i).getOutputStream();
            out.write(head[sent]);
            out.flush();
          } catch (java.io.IOException e) {
            closed[i] = true;
          }
        }
        sent++;
        if (sent % 10 == 0) {
          HttpResponse<String> r = gw.get("/clients/c-0001", token);
          assertThat(r.statusCode()).as("a normal agent is served while %d connections dribble", slow.size()).isEqualTo(200);
        }
        if (allClosed(slow, closed)) {
          break;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(allClosed(slow, closed))
          .as("every dribbling connection is closed by the gateway (after %.1f s, %d bytes each)", seconds, sent)
          .isTrue();
      assertThat(seconds).as("closed after the head deadline, not at once").isGreaterThanOrEqualTo(
          DataPlaneServer.REQUEST_HEAD_TIMEOUT.toSeconds() - 1.0);
      assertThat(gw.backend.seen()).extracting(Seen::uri).allMatch(u -> u.equals("/clients/c-0001"));
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void a_second_head_dribbled_on_a_kept_alive_connection_is_cut_at_the_head_deadline_and_an_idle_one_is_kept() throws Exception {
    String token = grantFor("alice", "c-0001");
    byte[] request = ("GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + token + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    byte[] slowHead = ("GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nX-Slow: " + "a".repeat(400))
        .getBytes(StandardCharsets.ISO_8859_1);
    try (Socket dribbling = connect(); Socket idle = connect()) {
      // one good request each: the connections are past their first head and kept alive
      for (Socket s : List.of(dribbling, idle)) {
        Wire.Response first = send(s, request);
        assertThat(first.status).as("first request on a kept-alive connection: %s", first).isEqualTo(200);
        assertThat(first.complete).isTrue();
      }
      long start = System.nanoTime();
      int sent = 0;
      boolean cut = false;
      while (!cut && System.nanoTime() - start < Duration.ofSeconds(25).toNanos() && sent < slowHead.length) {
        try {
          dribbling.getOutputStream().write(slowHead[sent]);
          dribbling.getOutputStream().flush();
          sent++;
        } catch (java.io.IOException e) {
          cut = true;
          break;
        }
        if (sent % 20 == 0) {
          HttpResponse<String> r = gw.get("/clients/c-0001", token);
          assertThat(r.statusCode()).as("a normal agent is served while a connection dribbles").isEqualTo(200);
        }
        cut = closedByGateway(dribbling);
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(cut)
          .as("the gateway cuts a kept-alive connection whose second head dribbles (after %.1f s, %d bytes)", seconds, sent)
          .isTrue();
      assertThat(seconds).as("cut after the head deadline, not at once").isGreaterThanOrEqualTo(
          DataPlaneServer.REQUEST_HEAD_TIMEOUT.toSeconds() - 1.0);
      // the idle connection has said nothing for longer than the head deadline: silence between
      // requests is not a slow head, so load balancers that pool connections keep theirs
      Wire.Response later = send(idle, request);
      assertThat(later.status).as("an idle kept-alive connection is still served: %s", later).isEqualTo(200);
      assertThat(gw.backend.seen()).extracting(Seen::uri).allMatch(u -> u.equals("/clients/c-0001"));
    }
  }

  private static Socket connect() throws java.io.IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", gw.dataPort()), 5000);
    return s;
  }

  private static Wire.Response send(Socket s, byte[] request) throws java.io.IOException {
    s.setSoTimeout(10_000);
    s.getOutputStream().write(request);
    s.getOutputStream().flush();
    return Wire.read(s.getInputStream(), false);
  }

  /** True when every slow socket was closed by the gateway. */
  private static boolean allClosed(List<Socket> slow, boolean[] closed) throws Exception {
    boolean all = true;
    for (int i = 0; i < slow.size(); i++) {
      closed[i] = closed[i] || closedByGateway(slow.get(i));
      all &= closed[i];
    }
    return all;
  }

  /** End of stream, a reset, or whatever the gateway said before closing: it acted on the connection. */
  private static boolean closedByGateway(Socket s) throws java.io.IOException {
    s.setSoTimeout(1);
    InputStream in = s.getInputStream();
    try {
      in.read();
      return true;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (java.io.IOException reset) {
      return true;
    }
  }
}
