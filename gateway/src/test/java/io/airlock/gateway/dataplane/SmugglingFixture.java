package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.RawHttp;
import io.airlock.gateway.testing.RecordingBackend.Seen;
import io.airlock.gateway.testing.Wire;
import io.airlock.policy.grant.Action;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One real gateway and recording backend per smuggling test class, with a read grant and a
 * read/write grant for {@code c-0001}, and the checks every smuggling test makes: what came back
 * on the raw socket, and that the backend saw nothing the gateway did not check.
 */
abstract class SmugglingFixture extends OneGateway {
  static String read;
  static String write;

  @BeforeAll
  static void grants() {
    read = grant;
    write = gw.grant(Set.of(Action.READ, Action.WRITE), Set.of(), "c-0001");
  }

  @BeforeEach
  void serveTheRecord() {
    gw.backend.json(DataPlaneTest.RECORD);
  }

  /** A second request hidden in the first one's body, with a valid grant: it must never run. */
  static String smuggled() {
    return "GET /clients/c-0001?smuggled=1 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n\r\n";
  }

  /** Every byte the gateway sends until it closes the connection or stays quiet that long. */
  static String untilClosed(String request, int quietMillis) throws Exception {
    return RawHttp.exchange(gw.dataPort(), request, quietMillis);
  }

  static int responses(String raw) {
    int n = 0;
    for (int i = raw.indexOf("HTTP/1."); i >= 0; i = raw.indexOf("HTTP/1.", i + 1)) {
      n++;
    }
    return n;
  }

  static Wire.Response send(String request) throws Exception {
    return Wire.exchange(gw.dataPort(), request);
  }

  static String errorCode(Wire.Response r) {
    return new JsonObject(r.bodyText()).getString("error");
  }

  /**
   * Asserts nothing reached the backend. A request the gateway wrongly dispatched might still be
   * in flight when the agent's answer arrived, so a sentinel request goes through first: once its
   * answer is back, anything dispatched before it has had its turn on the (single) event loop.
   */
  static void backendSawNothing() throws Exception {
    assertThat(gw.get("/clients/c-0001?sentinel=1", read).statusCode()).isEqualTo(200);
    assertThat(gw.backend.seen())
        .as("requests that reached the backend")
        .extracting(Seen::uri)
        .containsExactly("/clients/c-0001?sentinel=1");
  }
}
