package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.RawHttp;
import io.airlock.gateway.testing.RecordingBackend.Seen;
import io.airlock.gateway.testing.Wire;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Requests that try to turn the exchange into something other than one checked HTTP/1.1
 * request (WebSocket, h2c, HTTP/2 prior knowledge, CONNECT tunnels, absolute-form targets,
 * ambiguous framing). Each is answered with a 4xx or a closed connection, and in every case
 * except the ignorable h2c offer the backend sees nothing at all.
 */
class ProtocolSmugglingTest extends SmugglingFixture {
  static String untilClosed(String request) throws Exception {
    return untilClosed(request, 3000);
  }

  @Test
  void websocket_upgrade_is_403_and_never_reaches_the_backend() throws Exception {
    Wire.Response r =
        send(
            "GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n"
                + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(403);
    assertThat(errorCode(r)).isEqualTo("upgrade_forbidden");
    assertThat(r.rawText()).doesNotContain("101", "Sec-WebSocket-Accept");
    backendSawNothing();
  }

  @Test
  void h2c_upgrade_offer_is_ignored_and_answered_over_http_1_1() throws Exception {
    Wire.Response r =
        send(
            "GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n"
                + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.rawText()).startsWith("HTTP/1.1 200").doesNotContain("101 Switching");
    assertThat(r.complete).isTrue();
    assertThat(new JsonObject(r.bodyText()).getString("email")).isEqualTo("a***@e***.com");
    // the backend gets a plain request: no trace of the offer
    assertThat(gw.backend.seen()).hasSize(1);
    Seen seen = gw.backend.last();
    assertThat(seen.headers().contains("Upgrade")).isFalse();
    assertThat(seen.headers().contains("HTTP2-Settings")).isFalse();
    assertThat(seen.headers().getAll("Connection")).noneMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("upgrade"));
  }

  @Test
  void http2_prior_knowledge_preface_gets_no_http2() throws Exception {
    byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    // followed by an empty client SETTINGS frame, as a real h2 client would send
    byte[] settings = {0, 0, 0, 0x04, 0, 0, 0, 0, 0};
    byte[] req = new byte[preface.length + settings.length];
    System.arraycopy(preface, 0, req, 0, preface.length);
    System.arraycopy(settings, 0, req, preface.length, settings.length);

    Wire.Response r = Wire.exchange(gw.dataPort(), req, Duration.ofSeconds(3));

    // an h2 server would answer with its own SETTINGS frame (type 0x04 at offset 3), never HTTP/1
    byte[] raw = r.raw;
    boolean h2Settings = raw.length >= 9 && raw[3] == 0x04 && raw[4] == 0 && raw[5] == 0 && raw[6] == 0 && raw[7] == 0;
    assertThat(h2Settings).as("server spoke HTTP/2: " + r).isFalse();
    assertThat(r.status).as(r.toString()).isNotEqualTo(101);
    // With h2c off, Netty's HTTP/1 decoder reads "PRI * HTTP/2.0" as a request line with an
    // unsupported version and Vert.x answers it itself with "HTTP/2.0 501 Not Implemented" (a
    // textual HTTP/1-style error, no frames) before any stage runs. That is safe: an error status
    // or a closed connection, never a protocol switch. Nothing else may come back.
    String text = r.rawText();
    assertThat(text.isEmpty() || text.matches("(?s)^HTTP/\\d\\.\\d [45]\\d\\d .*"))
        .as("expected an error status line or a closed connection: " + r)
        .isTrue();
    backendSawNothing();
  }

  @Test
  void connect_is_403_upgrade_forbidden() throws Exception {
    Wire.Response r =
        send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nAuthorization: Bearer " + read + "\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(403);
    assertThat(errorCode(r)).isEqualTo("upgrade_forbidden");
    backendSawNothing();
  }

  @Test
  void absolute_form_target_is_400_bad_path() throws Exception {
    Wire.Response r =
        send("GET http://evil.example/clients/c-0001 HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer " + read
            + "\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("bad_path");
    backendSawNothing();
  }

  @Test
  void asterisk_form_target_is_400() throws Exception {
    Wire.Response r = send("GET * HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("bad_path");
    backendSawNothing();
  }

  @Test
  void headers_over_the_configured_maximum_are_431() throws Exception {
    // TestConfigs: maxHeaderBytes 16 KB; Netty refuses while decoding, before any stage runs
    String big = "X-Padding: " + "a".repeat(17 * 1024) + "\r\n";
    Wire.Response r =
        send("GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n" + big + "\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(431);
    backendSawNothing();
  }

  @Test
  void request_target_far_over_the_maximum_is_414() throws Exception {
    // maxUriLength 2048; the initial-line limit is that plus room for method and version
    String path = "/clients/c-0001?q=" + "a".repeat(4096);
    Wire.Response r =
        send("GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(414);
    backendSawNothing();
  }

  @Test
  void request_target_just_over_the_maximum_is_refused_by_path_guard() throws Exception {
    // 2049..2112 characters fit Netty's initial-line limit (2048 + 64), so PathGuard decides:
    // it answers 400 bad_path, not 414. Safe (never forwarded); see the report on 414 vs 400.
    String path = "/clients/c-0001?q=" + "a".repeat(2049 - "/clients/c-0001?q=".length());
    assertThat(path).hasSize(2049);
    Wire.Response r =
        send("GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n\r\n");

    assertThat(r.status).as(r.toString()).isIn(400, 414);
    backendSawNothing();
  }

  @Test
  void chunked_request_body_is_400_and_never_forwarded() throws Exception {
    Wire.Response r =
        send(
            "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + write + "\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "d\r\n{\"note\":\"hi\"}\r\n0\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("bad_request");
    backendSawNothing();
  }

  @Test
  void body_over_64_kb_is_413() throws Exception {
    Wire.Response r =
        send(
            "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + write + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (64 * 1024 + 1) + "\r\n\r\n{\"note\":\"");

    assertThat(r.status).as(r.toString()).isEqualTo(413);
    assertThat(errorCode(r)).isEqualTo("body_too_large");
    backendSawNothing();
  }

  @Test
  void body_over_64_kb_sent_in_full_still_gets_its_413() throws Exception {
    // the agent does not wait for the answer before sending its whole body: closing on it must
    // not turn the 413 into a connection reset
    String body = "{\"note\":\"" + "x".repeat(100 * 1024) + "\"}";
    Wire.Response r =
        send(
            "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + write + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);

    assertThat(r.status).as(r.toString()).isEqualTo(413);
    assertThat(errorCode(r)).isEqualTo("body_too_large");
    backendSawNothing();
  }

  @Test
  void duplicate_content_length_with_different_values_is_400_and_closes() throws Exception {
    // with Content-Length 2 the rest of the body would parse as a second request
    String raw =
        untilClosed(
            "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + write + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: 13\r\nContent-Length: 2\r\n\r\n"
                + "{}" + smuggled());

    // Netty refuses conflicting lengths while decoding; Vert.x answers a bare 400 and closes
    assertThat(RawHttp.status(raw)).as(raw).isEqualTo(400);
    assertThat(responses(raw)).as(raw).isEqualTo(1);
    backendSawNothing();
  }

  @Test
  void content_length_together_with_chunked_is_400_and_closes() throws Exception {
    // the classic CL.TE desync: a chunked reader sees the body end at "0", the rest is a request
    String raw =
        untilClosed(
            "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + write + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n" + smuggled());

    // Netty 4.2.18 refuses the framing itself (bare 400, connection closed); a Netty that dropped
    // Content-Length instead would still meet the forwarder's chunked refusal
    assertThat(RawHttp.status(raw)).as(raw).isEqualTo(400);
    assertThat(responses(raw)).as(raw).isEqualTo(1);
    backendSawNothing();
  }

  @Test
  void a_refusal_with_an_unread_body_closes_the_connection() throws Exception {
    // Pipeline: "an unread request body would desynchronise the connection: answer and close".
    // A refused request's pipelined successor must not be served on the same connection.
    String raw =
        untilClosed(
            "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}" + smuggled());

    assertThat(RawHttp.status(raw)).as(raw).isEqualTo(403);
    assertThat(raw).contains("out_of_scope");
    assertThat(raw.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
    assertThat(responses(raw)).as(raw).isEqualTo(1);
    backendSawNothing();
  }

  @Test
  void two_authorization_headers_are_401_grant_invalid() throws Exception {
    Wire.Response r =
        send(
            "GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n"
                + "Authorization: Bearer " + read + "\r\n\r\n");

    assertThat(r.status).as(r.toString()).isEqualTo(401);
    assertThat(errorCode(r)).isEqualTo("grant_invalid");
    assertThat(r.header("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
    backendSawNothing();
  }
}
