package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.RecordingBackend.Seen;
import io.airlock.gateway.testing.Wire;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md "Data plane" step 9 (and the response side of 10/11), byte for byte over a socket:
 * what the agent sends that the backend must never see, and what the backend sends that the
 * agent must never see.
 */
class HeaderSanitizingTest extends OneGateway {
  static final String RECORD = DataPlaneTest.RECORD;

  @BeforeEach
  void serveTheRecord() {
    gw.backend.json(RECORD);
  }

  static String get(String path, String... headers) {
    StringBuilder b = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: gw.test\r\n");
    b.append("Authorization: Bearer ").append(grant).append("\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString();
  }

  static Seen onlyRequest() {
    assertThat(gw.backend.seen()).hasSize(1);
    return gw.backend.last();
  }

  @Test
  void credentials_and_agent_supplied_identity_never_reach_the_backend() throws Exception {
    Wire.Response r =
        Wire.exchange(
            gw.dataPort(),
            get(
                "/clients/c-0001",
                "Cookie: session=agent-session-cookie",
                "X-Airlock-Agent: mallory",
                "X-Airlock-Ticket: SUP-666",
                "X-Airlock-Whatever: let-me-in",
                "X-Airlock-Request-Id: forged-id",
                "x-airlock-agent: mallory-lowercase"));

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    Seen seen = onlyRequest();
    assertThat(seen.headers().contains("Authorization")).isFalse();
    assertThat(seen.headers().contains("Cookie")).isFalse();
    assertThat(seen.headers().contains("X-Airlock-Whatever")).isFalse();
    assertThat(seen.headers().getAll("X-Airlock-Agent")).containsExactly("alice");
    assertThat(seen.headers().getAll("X-Airlock-Ticket")).containsExactly("SUP-1");
    assertThat(seen.headers().getAll("X-Airlock-Request-Id"))
        .containsExactly(r.header("X-Airlock-Request-Id").orElseThrow())
        .doesNotContain("forged-id");
    // nothing the agent sent as a credential survives anywhere in what the backend saw
    assertThat(seen.headers().toString()).doesNotContain(grant, "agent-session-cookie", "mallory", "SUP-666");
  }

  @Test
  void range_requests_are_dropped_and_the_agent_gets_the_whole_masked_body() throws Exception {
    // a backend that honours Range would answer 206 with a slice the masker never saw whole
    gw.backend.respond(
        req -> {
          if (req.headers().contains("Range")) {
            req.response()
                .setStatusCode(206)
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Range", "bytes 20-60/" + RECORD.length())
                .end(RECORD.substring(20, 61));
          } else {
            req.response().putHeader("Content-Type", "application/json").end(RECORD);
          }
        });

    Wire.Response r =
        Wire.exchange(
            gw.dataPort(), get("/clients/c-0001", "Range: bytes=20-60", "If-Range: \"etag-1\""));

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.complete).isTrue();
    assertThat(r.header("Content-Range")).isEmpty();
    JsonObject body = new JsonObject(r.bodyText());
    assertThat(body.getString("id")).isEqualTo("c-0001");
    assertThat(body.getString("email")).isEqualTo("a***@e***.com");
    assertThat(body.getString("status")).isEqualTo("active");
    assertThat(r.bodyText()).doesNotContain("ada@example.com");
    Seen seen = onlyRequest();
    assertThat(seen.headers().contains("Range")).isFalse();
    assertThat(seen.headers().contains("If-Range")).isFalse();
  }

  @Test
  void hop_by_hop_headers_and_headers_named_in_connection_are_dropped() throws Exception {
    Wire.Response r =
        Wire.exchange(
            gw.dataPort(),
            get(
                "/clients/c-0001",
                "Connection: keep-alive, X-Hop",
                "X-Hop: secret",
                "Keep-Alive: timeout=5, max=100",
                "TE: trailers",
                "Trailer: X-Checksum",
                "Proxy-Authorization: Basic YWdlbnQ6cGFzc3dvcmQ=",
                "Proxy-Connection: keep-alive",
                "X-Kept: yes"));

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    Seen seen = onlyRequest();
    for (String h : new String[] {"X-Hop", "Keep-Alive", "TE", "Trailer", "Proxy-Authorization", "Proxy-Connection"}) {
      assertThat(seen.headers().contains(h)).as("backend received " + h + ": " + seen.headers()).isFalse();
    }
    assertThat(seen.headers().getAll("Connection")).noneMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("x-hop"));
    assertThat(seen.headers().toString()).doesNotContain("secret", "YWdlbnQ6cGFzc3dvcmQ=");
    // control: an ordinary end-to-end header still passes, so the drops above are deliberate
    assertThat(seen.headers().get("X-Kept")).isEqualTo("yes");
  }

  @Test
  void headers_that_override_the_method_or_path_the_checks_saw_never_reach_the_backend() throws Exception {
    String[] overrides = {
      "X-HTTP-Method-Override: DELETE", "X-HTTP-Method: DELETE", "X-Method-Override: DELETE",
      "X-Original-Method: DELETE", "X-Original-URL: /clients/c-0999", "X-Original-URI: /clients/c-0999",
      "X-Rewrite-URL: /clients/c-0999", "X-Forwarded-Prefix: /clients/c-0999", "X-Forwarded-Path: /clients/c-0999",
      "X-Forwarded-Uri: /clients/c-0999", "X-Forwarded-Port: 9999", "X-Forwarded-Server: evil.example",
      "X-Forwarded-Scheme: gopher", "X-Original-Host: evil.example", "X-Host: evil.example"};
    String[] headers = java.util.Arrays.copyOf(overrides, overrides.length + 1);
    headers[overrides.length] = "X-Kept: yes";

    Wire.Response r = Wire.exchange(gw.dataPort(), get("/clients/c-0001", headers));

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    Seen seen = onlyRequest();
    assertThat(seen.headers().toString()).doesNotContain("DELETE", "c-0999", "9999", "evil.example", "gopher");
    assertThat(seen.headers().get("X-Kept")).isEqualTo("yes");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "/clients/c-0001/notes/7, true",
    "https://client-data.internal:8443/clients/c-0001/notes/7, false",
    "//client-data.internal/clients/c-0001, false",
    "/\\client-data.internal/x, false"})
  void a_location_passes_only_as_a_path_on_this_gateway(String location, boolean passes) throws Exception {
    gw.backend.respond(req -> req.response().setStatusCode(201).putHeader("Content-Type", "application/json")
        .putHeader("Location", location).end("{\"id\":\"7\"}"));

    Wire.Response r = Wire.exchange(gw.dataPort(), get("/clients/c-0001"));

    assertThat(r.status).as(r.toString()).isEqualTo(201);
    if (passes) {
      assertThat(r.header("Location")).hasValue(location);
    } else {
      assertThat(r.header("Location")).isEmpty();
      assertThat(r.rawText()).doesNotContain("client-data.internal");
    }
  }

  @Test
  void accept_encoding_becomes_identity() throws Exception {
    Wire.Response r = Wire.exchange(gw.dataPort(), get("/clients/c-0001", "Accept-Encoding: gzip, br;q=0.9"));

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(onlyRequest().headers().getAll("Accept-Encoding")).containsExactly("identity");
  }

  @Test
  void forwarded_for_is_the_real_peer_not_what_the_agent_claims() throws Exception {
    Wire.Response r =
        Wire.exchange(
            gw.dataPort(),
            get(
                "/clients/c-0001",
                "X-Forwarded-For: 6.6.6.6",
                "X-Forwarded-For: 7.7.7.7",
                "Forwarded: for=6.6.6.6",
                "X-Real-IP: 6.6.6.6",
                "X-Forwarded-Host: evil.example"));

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    Seen seen = onlyRequest();
    assertThat(seen.headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
    assertThat(seen.headers().contains("Forwarded")).isFalse();
    assertThat(seen.headers().contains("X-Real-IP")).isFalse();
    assertThat(seen.headers().toString()).doesNotContain("6.6.6.6", "7.7.7.7", "evil.example");
  }

  @Test
  void backend_response_headers_cannot_forge_ours_or_leak_hop_by_hop_ones() throws Exception {
    gw.backend.respond(
        req ->
            req.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("X-Airlock-Watermark", "agent=nobody; forged-by-backend")
                .putHeader("X-Airlock-Agent", "backend-says-bob")
                .putHeader("Connection", "X-Backend-Secret")
                .putHeader("X-Backend-Secret", "internal-token-123")
                .putHeader("X-Client-Email", "ada@example.com")
                .putHeader("Set-Cookie", "backend-session=s3cr3t; Path=/")
                .putHeader("Location", "https://client-data.internal:8443/clients/c-0001")
                .putHeader("Access-Control-Allow-Origin", "*")
                .putHeader("Content-Language", "en")
                .putHeader("Content-Disposition", "attachment; filename=\"record-Zorblatt-123-45-6789.json\"")
                // Vert.x adds Content-Length for end(String): the length of the unmasked body
                .end(RECORD));

    Wire.Response r = Wire.exchange(gw.dataPort(), get("/clients/c-0001"));

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.complete).isTrue();
    assertThat(r.headers("X-Airlock-Watermark")).hasSize(1);
    assertThat(r.header("X-Airlock-Watermark").orElseThrow())
        .contains("agent=alice", "ticket=SUP-1", "grant=")
        .doesNotContain("forged-by-backend", "nobody");
    assertThat(r.header("X-Airlock-Agent")).isEmpty();
    assertThat(r.header("X-Backend-Secret")).isEmpty();
    assertThat(r.rawText()).doesNotContain("internal-token-123", "backend-says-bob");
    // only what a client needs to read the body: a custom header would carry data around masking
    assertThat(r.header("X-Client-Email")).isEmpty();
    assertThat(r.header("Set-Cookie")).isEmpty();
    assertThat(r.header("Location")).isEmpty();
    assertThat(r.header("Access-Control-Allow-Origin")).isEmpty();
    assertThat(r.header("Content-Disposition")).as("a masked body's file name is not masked").isEmpty();
    assertThat(r.rawText()).doesNotContain("ada@example.com", "s3cr3t", "client-data.internal", "Zorblatt");
    assertThat(r.header("Content-Language")).hasValue("en");
    // the masked body is shorter than what the backend announced: its length must not be passed on
    assertThat(r.header("Content-Length")).isEmpty();
    assertThat(r.header("Transfer-Encoding")).hasValue("chunked");
    assertThat(new JsonObject(r.bodyText()).getString("email")).isEqualTo("a***@e***.com");
  }
}
