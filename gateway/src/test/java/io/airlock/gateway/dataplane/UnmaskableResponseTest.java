package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.gateway.testing.Wire;
import io.airlock.policy.grant.Action;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md "Data plane" step 10: a masked route releases only bodies it could mask. Anything
 * else is a clean 502 while headers are still ours to send, and a cut connection after that:
 * the agent never receives raw client data, nor a partial body that looks complete.
 */
class UnmaskableResponseTest extends OneGateway {
  static final String RECORD = DataPlaneTest.RECORD;

  static String get(String path, String token) {
    return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  }

  static Wire.Response fetch(String path) throws Exception {
    return Wire.exchange(gw.dataPort(), get(path, grant));
  }

  static void assertUnmaskable502(Wire.Response r) {
    assertThat(r.status).as(r.toString()).isEqualTo(502);
    assertThat(r.complete).isTrue();
    assertThat(r.header("Content-Type")).hasValue("application/json");
    JsonObject err = new JsonObject(r.bodyText());
    assertThat(err.getString("error")).isEqualTo("unmaskable_response");
    assertThat(err.getString("message")).isNotBlank();
    assertThat(err.getString("requestId")).isNotBlank();
    assertThat(r.rawText()).doesNotContain("ada@example.com", "123-45-6789", "JBSWY3DPEHPK3PXP");
    // the backend was asked: this is about what it answered
    assertThat(gw.backend.seen()).hasSize(1);
  }

  static byte[] gzip(String s) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  @Test
  void gzip_encoded_json_is_502() throws Exception {
    byte[] body = gzip(RECORD);
    gw.backend.respond(
        req ->
            req.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Encoding", "gzip")
                .end(Buffer.buffer(body)));

    Wire.Response r = fetch("/clients/c-0001");

    assertUnmaskable502(r);
    assertThat(r.header("Content-Encoding")).isEmpty();
    // not a byte of the compressed body: it starts with the gzip magic 1f 8b
    assertThat(r.rawText()).doesNotContain("\u001f\u008b");
  }

  @Test
  void html_is_502() throws Exception {
    gw.backend.respond(
        req ->
            req.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .end("<html><body>ada@example.com 123-45-6789</body></html>"));

    assertUnmaskable502(fetch("/clients/c-0001"));
  }

  @Test
  void a_body_without_content_type_is_502() throws Exception {
    gw.backend.respond(req -> req.response().end(RECORD));

    assertUnmaskable502(fetch("/clients/c-0001"));
  }

  @Test
  void utf16_json_is_502() throws Exception {
    gw.backend.respond(
        req ->
            req.response()
                .putHeader("Content-Type", "application/json; charset=utf-16")
                .end(Buffer.buffer(RECORD.getBytes(StandardCharsets.UTF_16))));

    Wire.Response r = fetch("/clients/c-0001");

    assertUnmaskable502(r);
    assertThat(r.rawText()).doesNotContain(new String(RECORD.getBytes(StandardCharsets.UTF_16), StandardCharsets.ISO_8859_1));
  }

  @Test
  void problem_json_is_masked_like_json() throws Exception {
    gw.backend.respond(
        req ->
            req.response()
                .setStatusCode(404)
                .putHeader("Content-Type", "application/problem+json")
                .end("{\"title\":\"not found\",\"email\":\"ada@example.com\",\"status\":\"gone\"}"));

    Wire.Response r = fetch("/clients/c-0001");

    assertThat(r.status).as(r.toString()).isEqualTo(404);
    assertThat(r.complete).isTrue();
    JsonObject body = new JsonObject(r.bodyText());
    assertThat(body.getString("email")).isEqualTo("a***@e***.com");
    assertThat(body.getString("status")).isEqualTo("gone");
    assertThat(body.getString("title")).isEqualTo("[redacted]"); // allow-list: not listed, redacted
    assertThat(r.rawText()).doesNotContain("ada@example.com");
  }

  @Test
  void problem_json_200_is_masked() throws Exception {
    gw.backend.respond(
        req -> req.response().putHeader("Content-Type", "application/problem+json").end(RECORD));

    Wire.Response r = fetch("/clients/c-0001");

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(new JsonObject(r.bodyText()).getString("email")).isEqualTo("a***@e***.com");
    assertThat(r.rawText()).doesNotContain("ada@example.com");
  }

  @Test
  void the_passthrough_route_passes_text_through_unchanged() throws Exception {
    String text = "plain status page\nall systems nominal\n";
    gw.backend.respond(req -> req.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(text));

    Wire.Response r = fetch("/raw/c-0001");

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.complete).isTrue();
    assertThat(r.bodyText()).isEqualTo(text);
    assertThat(r.header("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(r.header("X-Airlock-Watermark").orElseThrow()).contains("agent=alice");
  }

  @Test
  void malformed_json_from_the_first_byte_is_502_without_the_raw_value() throws Exception {
    gw.backend.json("{\"email\": \"ada@example.com\", oops");

    assertUnmaskable502(fetch("/clients/c-0001"));
  }

  /** {@code n} array elements, each with a raw email and SSN, about 100 bytes apiece. */
  static String elements(int from, int n) {
    StringBuilder b = new StringBuilder(n * 100);
    for (int i = from; i < from + n; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"id\":\"c-").append(i).append("\",\"email\":\"user").append(i)
          .append("@example.com\",\"ssn\":\"123-45-6789\",\"status\":\"active\"}");
    }
    return b.toString();
  }

  static void assertNoRawClientData(Wire.Response r) {
    String got = r.rawText();
    assertThat(got).doesNotContain("@example.com", "123-45-6789", "ada@example");
  }

  @Test
  void garbage_after_a_large_valid_prefix_cuts_the_connection() throws Exception {
    // ~1 MB of valid elements, so masked bytes (and the 200 headers) are long gone when the
    // garbage arrives; the only honest signal left is a body that never terminates
    String prefix = "[" + elements(0, 10_000);
    gw.backend.respond(
        req -> {
          req.response().setChunked(true).putHeader("Content-Type", "application/json");
          req.response().write(prefix);
          req.response().end(",{\"email\":\"late@example.com\", oops not json]");
        });

    Wire.Response r = fetch("/clients/c-0001");

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.body.length).as("masked bytes that left before the garbage").isGreaterThan(100_000);
    assertThat(r.complete).as("the chunked body must never terminate properly: " + r.ending).isFalse();
    assertThat(r.ending).isIn("eof", "reset");
    assertThat(r.rawText()).doesNotContain("\r\n0\r\n\r\n");
    assertNoRawClientData(r);
  }

  @Test
  void a_backend_that_dies_mid_document_never_yields_a_complete_looking_body() throws Exception {
    // Content-Length announced, half sent (cut inside the email value), then the socket closes
    String half = RECORD.substring(0, RECORD.indexOf("ada@example") + 8);
    gw.backend.respond(
        req -> {
          req.response().putHeader("Content-Type", "application/json").putHeader("Content-Length", Integer.toString(RECORD.length()));
          req.response().write(half).onComplete(v -> req.connection().close());
        });

    Wire.Response r = fetch("/clients/c-0001");

    assertThat(r.status == 502 || !r.complete).as("looked complete: " + r).isTrue();
    if (r.status == 502) {
      assertThat(new JsonObject(r.bodyText()).getString("error")).isEqualTo("unmaskable_response");
    } else {
      assertThat(r.ending).isIn("eof", "reset");
    }
    assertNoRawClientData(r);
  }

  @Test
  void a_cleanly_ended_but_unfinished_document_never_yields_a_complete_looking_body() throws Exception {
    // the HTTP message is complete (terminating chunk sent) but the JSON is not: still cut
    String prefix = "[" + elements(0, 2_000);
    gw.backend.respond(
        req -> {
          req.response().setChunked(true).putHeader("Content-Type", "application/json");
          req.response().write(prefix);
          req.response().end(",{\"id\":\"c-x\",\"email\":\"last@exa");
        });

    Wire.Response r = fetch("/clients/c-0001");

    assertThat(r.status == 502 || !r.complete).as("looked complete: " + r).isTrue();
    if (r.status != 502) {
      assertThat(r.ending).isIn("eof", "reset");
    }
    assertNoRawClientData(r);
  }

  @Test
  void a_backend_that_is_not_listening_is_502_backend_unavailable(@TempDir Path deadDir) throws Exception {
    // a bound socket that never listens: connecting is refused, and the port cannot be handed to
    // anything else meanwhile (a released port came back as this node's own data plane once)
    try (Socket holder = new Socket()) {
      holder.setReuseAddress(false);
      holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int closedPort = holder.getLocalPort();
      assertBackendUnavailable(deadDir, closedPort);
    }
  }

  private static void assertBackendUnavailable(Path deadDir, int closedPort) throws Exception {
    Files.createDirectories(deadDir);
    try (AirlockNode node =
        AirlockNode.start(TestConfigs.config(deadDir, URI.create("http://127.0.0.1:" + closedPort)), Clock.systemUTC())) {
      String token =
          new GrantSigner(node.keys(), TestConfigs.ISSUER, Clock.systemUTC())
              .sign(new GrantClaims("alice", "SUP-1", List.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1",
                  List.of("maria"), node.revocations().epoch(), Duration.ofMinutes(5)))
              .token();

      Wire.Response r = Wire.exchange(node.dataPlanePort(), get("/clients/c-0001", token));

      assertThat(r.status).as(r.toString()).isEqualTo(502);
      JsonObject err = new JsonObject(r.bodyText());
      assertThat(err.getString("error")).isEqualTo("backend_unavailable");
      assertThat(err.getString("requestId")).isNotBlank();
    }
  }
}
