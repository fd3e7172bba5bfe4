package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.testing.RawHttp;
import io.airlock.gateway.testing.RecordingBackend.Seen;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.gateway.testing.Wire;
import io.airlock.policy.grant.Action;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP/1.1 parsing tricks {@link ProtocolSmugglingTest} does not cover: obfuscated
 * Transfer-Encoding, obs-fold continuation lines, bare LF line endings, Host games and
 * pipelining across grants. Raw sockets against a real gateway and a backend that records what
 * it received; the backend must never see a request the gateway did not check.
 */
class SmugglingExtrasTest extends SmugglingFixture {
  static String bob;

  @BeforeAll
  static void bobsGrant() {
    bob = new GrantSigner(gw.node.keys(), TestConfigs.ISSUER, Clock.systemUTC())
        .sign(new GrantClaims("bob", "SUP-2", List.of("c-0002"), Set.of(Action.READ), Set.of(), "req-2", List.of("maria"),
            gw.node.revocations().epoch(), Duration.ofMinutes(5)))
        .token();
  }

  static String untilClosed(String request) throws Exception {
    return untilClosed(request, 1000);
  }

  /**
   * Spellings of Transfer-Encoding that one parser reads as chunked and another does not (the
   * TE.TE desync), each carrying a terminating chunk followed by a second request with a valid
   * grant. With and without a Content-Length beside it, the answer is a single 400 and neither
   * request reaches the backend: Netty refuses what it cannot frame, and what it frames as
   * chunked meets the forwarder's "no chunked request bodies" rule.
   */
  @ParameterizedTest
  @ValueSource(strings = {"Transfer-Encoding: xchunked", "Transfer-Encoding:  chunked", "Transfer-Encoding: chunked, identity",
      "Transfer-Encoding:\tchunked", "Transfer-Encoding : chunked", "Transfer-Encoding: identity, chunked",
      "Transfer-Encoding: CHUNKED"})
  void obfuscated_transfer_encoding_is_400_and_nothing_is_forwarded(String te) throws Exception {
    for (String length : new String[] {"", "Content-Length: 5\r\n"}) {
      String raw =
          untilClosed(
              "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + write + "\r\n"
                  + "Content-Type: application/json\r\n" + length + te + "\r\n\r\n0\r\n\r\n" + smuggled());

      assertThat(RawHttp.status(raw)).as("[%s%s] %s", length, te, raw).isEqualTo(400);
      assertThat(responses(raw)).as("the hidden request got no answer of its own: %s", raw).isEqualTo(1);
    }
    backendSawNothing();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "HEAD"})
  void a_read_with_a_body_is_400_and_nothing_is_forwarded(String method) throws Exception {
    // a read is scoped by its path: a body ({"clients":"*"}) could select what the check never saw
    String body = "{\"clients\":\"*\"}";
    Wire.Response r =
        Wire.exchange(gw.dataPort(),
            method + " /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);

    assertThat(r.status).as(r.toString()).isEqualTo(400);
    if (method.equals("GET")) {
      assertThat(errorCode(r)).isEqualTo("bad_request");
      assertThat(r.bodyText()).contains("GET requests carry no body here");
    }
    backendSawNothing();
  }

  @Test
  void refused_bodies_leave_no_exchange_behind_for_the_kill_switch_to_track() throws Exception {
    for (int i = 0; i < 10; i++) {
      Wire.Response big = Wire.exchange(gw.dataPort(), "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer "
          + write + "\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n");
      assertThat(big.status).as(big.toString()).isEqualTo(413);
      Wire.Response read = Wire.exchange(gw.dataPort(), "GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer "
          + this.read + "\r\nContent-Length: 2\r\n\r\n{}");
      assertThat(read.status).as(read.toString()).isEqualTo(400);
    }
    // each refused exchange had joined the in-flight set before its body was judged; one left in
    // it would stay there for good (memory, and a kill-all sweeping dead exchanges forever)
    io.airlock.gateway.testing.Poll.until("no exchange left in flight", java.time.Duration.ofSeconds(5), () -> {
      java.net.http.HttpResponse<String> m = gw.http.send(java.net.http.HttpRequest.newBuilder(gw.control("/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return m.body().lines().anyMatch(l -> l.equals("airlock_dataplane_exchanges_in_flight 0.0"));
    });
    backendSawNothing();
  }

  @Test
  void an_obs_fold_continuation_joins_its_header_and_is_forwarded_as_one_line() throws Exception {
    Wire.Response r =
        Wire.exchange(gw.dataPort(),
            "GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nX-Note: first\r\n second\r\nAuthorization: Bearer " + read
                + "\r\n\r\n");

    // RFC 9112 5.2 allows replacing obs-fold with a space; the backend then gets one plain line
    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(gw.backend.seen()).hasSize(1);
    assertThat(gw.backend.last().headers().getAll("X-Note")).containsExactly("first second");
  }

  @Test
  void an_obs_fold_continuation_never_becomes_a_header_of_its_own() throws Exception {
    // a proxy that read the continuation as a new line would see an Authorization header here
    Wire.Response r =
        Wire.exchange(gw.dataPort(),
            "GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nX-Note: a\r\n Authorization: Bearer " + read + "\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(401);
    assertThat(errorCode(r)).isEqualTo("grant_missing");
    backendSawNothing();
  }

  @Test
  void a_folded_authorization_header_is_checked_as_the_one_value_it_folds_to_and_never_forwarded() throws Exception {
    Wire.Response r =
        Wire.exchange(gw.dataPort(), "GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer\r\n " + read + "\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    Seen seen = gw.backend.last();
    assertThat(seen.headers().get("X-Airlock-Agent")).isEqualTo("alice");
    assertThat(seen.headers().contains("Authorization")).as("the grant never reaches the backend").isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"every", "one"})
  void a_bare_lf_line_ending_is_400_and_nothing_is_forwarded(String where) throws Exception {
    String req =
        where.equals("every")
            ? "GET /clients/c-0001 HTTP/1.1\nHost: gw.test\nAuthorization: Bearer " + read + "\n\n"
            : "GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\nAuthorization: Bearer " + read + "\r\n\r\n";
    String raw = untilClosed(req);

    assertThat(RawHttp.status(raw)).as(raw).isEqualTo(400);
    assertThat(responses(raw)).isEqualTo(1);
    backendSawNothing();
  }

  /**
   * Host plays no part in routing or scope (the path names the client; the route names the
   * backend), so a missing, duplicated or foreign Host changes nothing: the request is checked
   * like any other and the backend gets its own authority, never the agent's text.
   */
  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.0 no host", "HTTP/1.1 no host", "two hosts"})
  void host_is_never_trusted_and_never_forwarded(String variant) throws Exception {
    String head =
        switch (variant) {
          case "HTTP/1.0 no host" -> "GET /clients/c-0001 HTTP/1.0\r\n";
          case "HTTP/1.1 no host" -> "GET /clients/c-0001 HTTP/1.1\r\n";
          default -> "GET /clients/c-0001 HTTP/1.1\r\nHost: evil.example\r\nHost: gw.test\r\n";
        };
    String raw = untilClosed(head + "Authorization: Bearer " + read + "\r\n\r\n");

    assertThat(RawHttp.status(raw)).as(raw).isEqualTo(200);
    assertThat(gw.backend.seen()).hasSize(1);
    Seen seen = gw.backend.last();
    assertThat(seen.uri()).isEqualTo("/clients/c-0001");
    assertThat(seen.headers().get("X-Airlock-Agent")).isEqualTo("alice");
    assertThat(seen.headers().getAll("Host")).containsExactly(gw.backend.uri().getAuthority());
    // the out-of-scope client is refused whatever Host says
    String other = untilClosed(head.replace("c-0001", "c-0002") + "Authorization: Bearer " + read + "\r\n\r\n");
    assertThat(RawHttp.status(other)).as(other).isEqualTo(403);
    assertThat(gw.backend.seen()).hasSize(1);
  }

  /**
   * Four requests pipelined on one connection, each with a different grant situation. Each is
   * checked on its own: a grant never carries over from the request before it.
   */
  @Test
  void pipelined_requests_are_each_checked_against_their_own_grant() throws Exception {
    String alice = "Authorization: Bearer " + read + "\r\n";
    String pipelined =
        "GET /clients/c-0001?n=1 HTTP/1.1\r\nHost: gw.test\r\n" + alice + "\r\n"
            // another agent's grant, for a client outside alice's grant
            + "GET /clients/c-0002?n=2 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + bob + "\r\n\r\n"
            // no grant at all: alice's from two requests ago must not apply
            + "GET /clients/c-0001?n=3 HTTP/1.1\r\nHost: gw.test\r\n\r\n"
            // alice's grant, bob's client
            + "GET /clients/c-0002?n=4 HTTP/1.1\r\nHost: gw.test\r\n" + alice + "\r\n";
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", gw.dataPort()), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(pipelined.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = new BufferedInputStream(s.getInputStream());
      Wire.Response first = Wire.read(in, false);
      Wire.Response second = Wire.read(in, false);
      Wire.Response third = Wire.read(in, false);
      Wire.Response fourth = Wire.read(in, false);

      assertThat(first.status).as(first.toString()).isEqualTo(200);
      assertThat(first.complete).isTrue();
      assertThat(second.status).as(second.toString()).isEqualTo(200);
      assertThat(second.header("X-Airlock-Watermark")).hasValueSatisfying(w -> assertThat(w).contains("agent=bob"));
      assertThat(third.status).as(third.toString()).isEqualTo(401);
      assertThat(errorCode(third)).isEqualTo("grant_missing");
      assertThat(fourth.status).as(fourth.toString()).isEqualTo(403);
      assertThat(errorCode(fourth)).isEqualTo("out_of_scope");
    }
    assertThat(gw.backend.seen())
        .extracting(x -> x.uri() + " " + x.headers().get("X-Airlock-Agent"))
        .containsExactly("/clients/c-0001?n=1 alice", "/clients/c-0002?n=2 bob");
  }
}
