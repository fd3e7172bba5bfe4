package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.RawHttp;
import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End to end through a real gateway node to a real recording backend. */
class DataPlaneTest extends OneGateway {
  static final String RECORD =
      "{\"id\":\"c-0001\",\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"ssn\":\"123-45-6789\","
          + "\"iban\":\"GB82WEST12345698765432\",\"twoFactorSecret\":\"JBSWY3DPEHPK3PXP\",\"notes\":\"card 4111111111111111\","
          + "\"status\":\"active\"}";

  @BeforeEach
  void serveTheRecord() {
    gw.backend.json(RECORD);
  }

  @Test
  void forwards_a_granted_read_and_masks_the_body() throws Exception {
    HttpResponse<String> r = gw.get("/clients/c-0001", gw.grant("c-0001"));

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("name")).isEqualTo("Ada Lovelace");
    assertThat(body.getString("email")).isEqualTo("a***@e***.com");
    assertThat(body.getString("ssn")).endsWith("6789").doesNotContain("123-45");
    assertThat(body.containsKey("twoFactorSecret")).isFalse();
    assertThat(body.getString("notes")).isEqualTo("[redacted]");
    assertThat(r.body()).doesNotContain("ada@example.com", "JBSWY3DPEHPK3PXP", "4111111111111111");
    assertThat(r.headers().firstValue("X-Airlock-Watermark").orElseThrow())
        .contains("agent=alice", "ticket=SUP-1", "grant=", "at=");
    assertThat(r.headers().firstValue("X-Airlock-Request-Id")).isPresent();
    assertThat(gw.backend.last().uri()).isEqualTo("/clients/c-0001");
  }

  @Test
  void unmask_in_the_grant_shows_that_class_only() throws Exception {
    HttpResponse<String> r =
        gw.get("/clients/c-0001", gw.grant(Set.of(Action.READ), Set.of(FieldClass.EMAIL), "c-0001"));

    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("email")).isEqualTo("ada@example.com");
    assertThat(body.getString("ssn")).doesNotContain("123-45");
    assertThat(body.containsKey("twoFactorSecret")).isFalse();
  }

  @Test
  void refuses_without_a_grant_and_the_backend_sees_nothing() throws Exception {
    HttpResponse<String> r = gw.get("/clients/c-0001", null);

    assertThat(r.statusCode()).isEqualTo(401);
    JsonObject err = new JsonObject(r.body());
    assertThat(err.getString("error")).isEqualTo("grant_missing");
    assertThat(err.getString("message")).contains("Bearer");
    assertThat(err.getString("requestId")).isNotBlank();
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
    assertThat(gw.backend.seen()).isEmpty();
  }

  @Test
  void refuses_a_forged_grant() throws Exception {
    String token = gw.grant("c-0001");
    String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);

    HttpResponse<String> r = gw.get("/clients/c-0001", forged);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("grant_invalid");
    assertThat(gw.backend.seen()).isEmpty();
  }

  @Test
  void refuses_a_client_the_grant_does_not_name() throws Exception {
    HttpResponse<String> r = gw.get("/clients/c-0002", gw.grant("c-0001"));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("out_of_scope");
    assertThat(gw.backend.seen()).isEmpty();
  }

  @Test
  void refuses_a_write_under_a_read_grant() throws Exception {
    String req =
        "POST /write/c-0001 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.grant("c-0001")
            + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

    String resp = RawHttp.exchange(gw.dataPort(), req, 2000);

    assertThat(RawHttp.status(resp)).isEqualTo(403);
    assertThat(resp).contains("out_of_scope");
    assertThat(gw.backend.seen()).isEmpty();
  }

  @Test
  void forwards_a_write_body_under_a_write_grant() throws Exception {
    String req =
        "POST /write/c-0001 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + gw.grant(Set.of(Action.READ, Action.WRITE), Set.of(), "c-0001")
            + "\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"note\":\"hi\"}";

    String resp = RawHttp.exchange(gw.dataPort(), req, 3000);

    assertThat(RawHttp.status(resp)).isEqualTo(200);
    assertThat(gw.backend.last().method()).isEqualTo("POST");
    assertThat(gw.backend.last().body().toString()).isEqualTo("{\"note\":\"hi\"}");
  }

  @Test
  void a_route_method_not_listed_is_405() throws Exception {
    String req = "DELETE /clients/c-0001 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.grant("c-0001") + "\r\n\r\n";

    String resp = RawHttp.exchange(gw.dataPort(), req, 2000);

    assertThat(RawHttp.status(resp)).isEqualTo(405);
    assertThat(resp).contains("method_not_allowed");
    assertThat(gw.backend.seen()).isEmpty();
  }

  @Test
  void unknown_paths_are_404_no_route() throws Exception {
    HttpResponse<String> r = gw.get("/admin/c-0001", gw.grant("c-0001"));

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("no_route");
  }
}
