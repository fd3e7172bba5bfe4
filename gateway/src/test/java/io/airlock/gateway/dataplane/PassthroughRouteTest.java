package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.Poll;
import io.airlock.gateway.testing.Wire;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DESIGN.md "Data plane" step 10 on passthrough routes: only bodies typed as one of the route's
 * listed media types pass unmasked. JSON is masked with the route's profile or refused, another
 * type, a compressed or an untyped body is refused, so asking a backend for JSON, XML, CSV or
 * JSONP on a route that was opened for PDFs ({@code ?format=csv}, {@code ?callback=x}, {@code
 * Accept}) never yields client data in clear. The backend is sent the route's list as {@code
 * Accept}, not the agent's.
 *
 * <p>{@code /raw/{client}} passes PDF, CSV and plain text without a profile, {@code
 * /statements/{client}} passes only PDF, with the client-record profile.
 */
class PassthroughRouteTest extends OneGateway {
  static final String RECORD = DataPlaneTest.RECORD;
  static final String[] SECRETS = {"ada@example.com", "123-45-6789", "JBSWY3DPEHPK3PXP", "GB82WEST12345698765432"};

  static Wire.Response fetch(String target, String... headers) throws Exception {
    StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + grant + "\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    return Wire.exchange(gw.dataPort(), req.append("\r\n").toString());
  }

  static void serve(String contentType, byte[] body) {
    gw.backend.respond(
        req -> {
          if (contentType != null) {
            req.response().putHeader("Content-Type", contentType);
          }
          req.response().end(Buffer.buffer(body));
        });
  }

  static void serve(String contentType, String body) {
    serve(contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  static JsonObject assertRefused(Wire.Response r) {
    assertThat(r.status).as(r.toString()).isEqualTo(502);
    assertThat(r.complete).isTrue();
    assertThat(r.header("Content-Type")).hasValue("application/json");
    JsonObject err = new JsonObject(r.bodyText());
    assertThat(err.getString("error")).isEqualTo("unmaskable_response");
    assertThat(err.getString("requestId")).isNotBlank();
    assertThat(r.rawText()).doesNotContain(SECRETS);
    // the backend was asked and answered: the refusal is about its answer
    assertThat(gw.backend.seen()).hasSize(1);
    return err;
  }

  @Test
  void asking_a_pdf_route_for_json_gets_502_and_not_a_byte_of_the_record() throws Exception {
    // a statements backend that can also answer JSON when asked to
    gw.backend.respond(
        req -> {
          boolean json = "json".equals(req.getParam("format"))
              || String.valueOf(req.getHeader("Accept")).contains("json");
          req.response()
              .putHeader("Content-Type", json ? "application/json" : "application/pdf")
              .end(json ? RECORD : "%PDF-1.7 statement");
        });

    Wire.Response pdf = fetch("/raw/c-0001/statements");
    assertThat(pdf.status).as(pdf.toString()).isEqualTo(200);
    assertThat(pdf.bodyText()).isEqualTo("%PDF-1.7 statement");
    gw.backend.seen().clear();

    Wire.Response r = fetch("/raw/c-0001/statements?format=json", "Accept: application/json");

    JsonObject err = assertRefused(r);
    assertThat(err.getString("message"))
        .contains("application/json", "passthrough route raw", "no masking profile");
    assertThat(r.header("X-Airlock-Watermark")).isEmpty();
    assertThat(r.rawText()).doesNotContain("Ada Lovelace", "4111111111111111");
    // the query reached the backend (the refusal is what stops the leak), the agent's Accept did not
    assertThat(gw.backend.last().uri()).isEqualTo("/raw/c-0001/statements?format=json");
    assertThat(gw.backend.last().headers().get("Accept")).isEqualTo("application/pdf, text/csv, text/plain");
  }

  /** The record in whichever format the agent asks for, the way a reporting backend renders it. */
  static void serveAnyFormatAsked() {
    gw.backend.respond(
        req -> {
          String accept = String.valueOf(req.getHeader("Accept"));
          String format = String.valueOf(req.getParam("format"));
          String callback = req.getParam("callback");
          String type;
          String body;
          if (callback != null) {
            type = "text/javascript";
            body = callback + "(" + RECORD + ");";
          } else if (format.equals("csv") || accept.contains("text/csv")) {
            type = "text/csv";
            body = "email,ssn,twoFactorSecret,iban\n" + String.join(",", SECRETS) + "\n";
          } else if (format.equals("xml") || accept.contains("xml")) {
            type = "application/xml";
            body = "<client>" + String.join("", java.util.Arrays.stream(SECRETS).map(v -> "<v>" + v + "</v>").toList()) + "</client>";
          } else if (format.equals("html") || accept.contains("html")) {
            type = "text/html; charset=utf-8";
            body = "<html><body>" + String.join("<br>", SECRETS) + "</body></html>";
          } else {
            type = "application/pdf";
            body = "%PDF-1.7 statement";
          }
          req.response().putHeader("Content-Type", type).end(body);
        });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "?format=xml|application/xml",
        "?format=csv|text/csv",
        "?callback=x|text/javascript",
        "?format=html|text/html",
      })
  void another_rendering_of_the_record_on_a_pdf_route_is_502_and_not_a_byte_of_it(String asked) throws Exception {
    serveAnyFormatAsked();
    String query = asked.substring(0, asked.indexOf('|'));
    String type = asked.substring(asked.indexOf('|') + 1);

    Wire.Response r = fetch("/statements/c-0001/statements" + query, "Accept: " + type);

    JsonObject err = assertRefused(r);
    assertThat(err.getString("message"))
        .isEqualTo("backend sent " + type + " on route statements, which releases only application/pdf unmasked");
    assertThat(r.header("X-Airlock-Watermark")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/xml", "text/csv; charset=utf-8", "text/javascript", "APPLICATION/XML", "image/svg+xml"})
  void a_type_the_route_does_not_list_is_502(String type) throws Exception {
    serve(type, String.join(",", SECRETS));

    JsonObject err = assertRefused(fetch("/statements/c-0001"));
    assertThat(err.getString("message"))
        .contains("on route statements, which releases only application/pdf unmasked");
  }

  @Test
  void the_backend_is_asked_only_for_the_listed_types_not_what_the_agent_accepts() throws Exception {
    serveAnyFormatAsked();

    Wire.Response r = fetch("/statements/c-0001/statements", "Accept: application/xml, text/csv;q=0.9");

    // the negotiating backend never saw xml or csv asked for, so it answered its PDF
    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo("%PDF-1.7 statement");
    assertThat(gw.backend.last().headers().getAll("Accept")).containsExactly("application/pdf, application/json");

    gw.backend.seen().clear();
    fetch("/raw/c-0001", "Accept: application/xml");
    // no profile on /raw: JSON would be refused, so it is not asked for
    assertThat(gw.backend.last().headers().getAll("Accept")).containsExactly("application/pdf, text/csv, text/plain");

    gw.backend.seen().clear();
    serve("application/json", RECORD);
    fetch("/clients/c-0001", "Accept: application/xml");
    // not a passthrough route: whatever comes back is masked or refused, the agent's Accept stays
    assertThat(gw.backend.last().headers().getAll("Accept")).containsExactly("application/xml");
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/pdf", "Application/PDF", "application/pdf; name=\"statement.pdf\""})
  void a_listed_type_passes_unchanged_with_nosniff_and_a_sandbox(String type) throws Exception {
    serve(type, "%PDF-1.7 <script>alert(document.cookie)</script>");

    Wire.Response r = fetch("/statements/c-0001");

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.complete).isTrue();
    assertThat(r.bodyText()).isEqualTo("%PDF-1.7 <script>alert(document.cookie)</script>");
    assertThat(r.header("Content-Type")).hasValue(type);
    assertThat(r.header("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.header("Content-Security-Policy")).hasValue("sandbox");
    // released as sent, on a route that also has a profile: its length is the backend's, so a
    // download tool can show progress and resume
    assertThat(r.header("Content-Length")).hasValue(Integer.toString("%PDF-1.7 <script>alert(document.cookie)</script>".length()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/problem+json",
        "application/vnd.api+json; charset=UTF-8",
        "text/json",
        "application/x-ndjson",
        "application/json-seq",
        " application/json ;charset=\"utf-8\""
      })
  void json_of_any_flavour_on_a_passthrough_route_without_a_profile_is_502(String type) throws Exception {
    serve(type, RECORD);

    JsonObject err = assertRefused(fetch("/raw/c-0001"));
    assertThat(err.getString("message")).contains("passthrough route raw", "no masking profile");
  }

  @Test
  void json_on_a_passthrough_route_with_a_profile_is_masked() throws Exception {
    serve("application/json", RECORD);

    Wire.Response r = fetch("/statements/c-0001?format=json", "Accept: application/json");

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.complete).isTrue();
    JsonObject body = new JsonObject(r.bodyText());
    assertThat(body.getString("name")).isEqualTo("Ada Lovelace");
    assertThat(body.getString("email")).isEqualTo("a***@e***.com");
    assertThat(body.containsKey("twoFactorSecret")).isFalse();
    assertThat(r.rawText()).doesNotContain(SECRETS);
  }

  @Test
  void gzip_json_on_a_passthrough_route_with_a_profile_is_502() throws Exception {
    byte[] body = UnmaskableResponseTest.gzip(RECORD);
    gw.backend.respond(
        req ->
            req.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Encoding", "gzip")
                .end(Buffer.buffer(body)));

    Wire.Response r = fetch("/statements/c-0001");

    JsonObject err = assertRefused(r);
    assertThat(err.getString("message")).contains("Content-Encoding: gzip");
    assertThat(r.header("Content-Encoding")).isEmpty();
    assertThat(r.rawText()).doesNotContain("\u001f\u008b");
  }

  @Test
  void utf16_json_on_a_passthrough_route_with_a_profile_is_502() throws Exception {
    serve("application/json; charset=utf-16", RECORD.getBytes(StandardCharsets.UTF_16));

    Wire.Response r = fetch("/statements/c-0001");

    assertRefused(r);
    assertThat(r.rawText())
        .doesNotContain(new String(RECORD.getBytes(StandardCharsets.UTF_16), StandardCharsets.ISO_8859_1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "br", "deflate", "identity, gzip", "x-custom"})
  void a_compressed_body_of_any_type_is_502_on_a_passthrough_route(String encoding) throws Exception {
    // the gateway asks for identity and cannot look inside anything else, whatever the label
    byte[] body = UnmaskableResponseTest.gzip(RECORD);
    gw.backend.respond(
        req ->
            req.response()
                .putHeader("Content-Type", "application/pdf")
                .putHeader("Content-Encoding", encoding)
                .end(Buffer.buffer(body)));

    Wire.Response r = fetch("/raw/c-0001");

    JsonObject err = assertRefused(r);
    assertThat(err.getString("message")).contains("Content-Encoding");
    assertThat(r.rawText()).doesNotContain("\u001f\u008b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/raw/c-0001", "/statements/c-0001"})
  void a_body_without_content_type_on_a_passthrough_route_is_502(String path) throws Exception {
    serve(null, RECORD);

    JsonObject err = assertRefused(fetch(path));
    assertThat(err.getString("message")).contains("without Content-Type");
  }

  @Test
  void two_content_types_one_of_them_json_are_502() throws Exception {
    gw.backend.respond(
        req -> {
          req.response().headers().add("Content-Type", "application/pdf").add("Content-Type", "application/json");
          req.response().end(RECORD);
        });

    assertRefused(fetch("/raw/c-0001"));
  }

  @Test
  void a_pdf_passes_byte_for_byte() throws Exception {
    byte[] pdf = new byte[70_000];
    for (int i = 0; i < pdf.length; i++) {
      pdf[i] = (byte) (i * 31 + (i >> 8));
    }
    System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, pdf, 0, 9);
    serve("application/pdf", pdf);

    Wire.Response r = fetch("/raw/c-0001");

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.complete).isTrue();
    assertThat(r.body).isEqualTo(pdf);
    assertThat(r.header("Content-Type")).hasValue("application/pdf");
    assertThat(r.header("X-Airlock-Watermark").orElseThrow()).contains("agent=alice");
  }

  @Test
  void csv_passes_unmasked_on_the_route_that_lists_it() throws Exception {
    String csv = "date,amount\n2026-01-02,12.50\n";
    serve("text/csv; charset=utf-8", csv);

    Wire.Response r = fetch("/raw/c-0001");

    assertThat(r.status).as(r.toString()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo(csv);
    assertThat(r.header("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.header("Content-Security-Policy")).hasValue("sandbox");
  }

  @Test
  void a_bodyless_204_without_content_type_is_unaffected() throws Exception {
    gw.backend.respond(req -> req.response().setStatusCode(204).end());

    Wire.Response r = fetch("/raw/c-0001");

    assertThat(r.status).as(r.toString()).isEqualTo(204);
    assertThat(r.body).isEmpty();
  }

  @Test
  void non_passthrough_routes_are_unchanged() throws Exception {
    serve("application/json", RECORD);
    Wire.Response masked = fetch("/clients/c-0001");
    assertThat(masked.status).as(masked.toString()).isEqualTo(200);
    assertThat(new JsonObject(masked.bodyText()).getString("email")).isEqualTo("a***@e***.com");
    assertThat(masked.header("Content-Security-Policy")).isEmpty();

    gw.backend.seen().clear();
    serve("application/pdf", "%PDF-1.7");
    JsonObject err = assertRefused(fetch("/clients/c-0001"));
    assertThat(err.getString("message")).contains("application/pdf", "cannot be masked");
  }

  @Test
  void the_refusal_is_audited_and_counted_as_unmaskable_response() throws Exception {
    serve("application/json", RECORD);

    String id = assertRefused(fetch("/raw/c-0001")).getString("requestId");

    // forwarded, so the access record exists and the completion closes it with the 502
    Path audit = dir.resolve("audit");
    Poll.until("the completion record of " + id, Duration.ofSeconds(5), () -> record(audit, "completion", id) != null);
    JsonObject done = record(audit, "completion", id);
    assertThat(done.getInteger("status")).isEqualTo(502);
    assertThat(done.getLong("bytes")).isEqualTo(-1L);
    JsonObject access = record(audit, "access", id);
    assertThat(access.getString("route")).isEqualTo("raw");
    assertThat(access.getString("masking")).isNull();

    HttpResponse<String> m =
        gw.http.send(HttpRequest.newBuilder(gw.control("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(m.body().lines())
        .as(m.body())
        .anyMatch(l -> l.startsWith("airlock_dataplane_requests")
            && l.contains("outcome=\"unmaskable_response\"") && l.contains("route=\"raw\""));
  }

  private static JsonObject record(Path auditDir, String type, String requestId) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(auditDir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
    List<JsonObject> all = new ArrayList<>();
    for (Path f : files) {
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank()) {
          all.add(new JsonObject(line));
        }
      }
    }
    return all.stream()
        .filter(rec -> type.equals(rec.getString("type")) && requestId.equals(rec.getString("requestId")))
        .findFirst()
        .orElse(null);
  }
}
