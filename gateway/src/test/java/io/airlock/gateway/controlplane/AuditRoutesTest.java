package io.airlock.gateway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.gateway.testing.Poll;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/audit}: what security can narrow the feed to, and what it refuses to guess. */
class AuditRoutesTest {
  @TempDir static Path dir;
  static GatewayHarness gw;
  static ControlPlaneClient sam;
  static ControlPlaneClient alice;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayHarness.start(dir);
    gw.backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
    int cp = gw.node.controlPlanePort();
    sam = ControlPlaneClient.login(cp, "sam");
    alice = ControlPlaneClient.login(cp, "alice");
    String grant = gw.grant("c-0001");
    assertThat(gw.get("/clients/c-0001", grant).statusCode()).isEqualTo(200);
    assertThat(gw.get("/clients/c-0002", grant).statusCode()).isEqualTo(403);
    awaitTypes("", Set.of("access", "completion", "denied"));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void the_type_filter_keeps_exact_types_and_prefixes_only() throws Exception {
    assertThat(types("?type=denied")).containsExactly("denied");
    assertThat(types("?type=access,denied")).containsExactlyInAnyOrder("access", "denied");
    assertThat(types("?type=acc*")).containsExactly("access");
    assertThat(types("?type=request.*")).as("no request records were written").isEmpty();
    assertThat(types("")).contains("access", "completion", "denied", "config.loaded");
  }

  @Test
  void a_malformed_type_filter_is_refused_naming_the_parameter() throws Exception {
    for (String bad : List.of("?type=DENIED", "?type=denied,", "?type=*", "?type=a%20b", "?type=den*ied")) {
      ControlPlaneClient.Reply r = sam.get("/api/audit" + bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.json().encode()).as(bad).contains("type");
    }
  }

  @Test
  void only_security_reads_the_feed() throws Exception {
    assertThat(alice.get("/api/audit?type=denied").status()).isEqualTo(403);
  }

  private static Set<String> types(String query) throws Exception {
    ControlPlaneClient.Reply r = sam.get("/api/audit" + query);
    assertThat(r.status()).as(query).isEqualTo(200);
    return r.array().stream().map(o -> ((JsonObject) o).getString("type")).collect(Collectors.toSet());
  }

  /** The completion record is written after the answer: poll until every expected type is in. */
  private static void awaitTypes(String query, Set<String> expected) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    Set<String> seen = types(query);
    while (!seen.containsAll(expected) && Instant.now().isBefore(deadline)) {
      Poll.step();
      seen = types(query);
    }
    assertThat(seen).containsAll(expected);
  }
}
