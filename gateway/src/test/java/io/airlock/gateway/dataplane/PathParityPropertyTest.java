package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.gateway.testing.RecordingBackend.Seen;
import io.airlock.gateway.testing.Wire;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Path parity through a real gateway: for targets built from hostile pieces under
 * {@code /clients/}, whenever the gateway lets a request through, the path the backend decodes
 * (with {@link URI}, as a typical Java backend would) names the very client the grant covers.
 * A gateway that checked one client and forwarded a path that decodes to another would be the
 * whole scope check undone.
 */
class PathParityPropertyTest {
  static final String COVERED = "c-0001";
  static GatewayHarness gw;
  static String grant;

  @BeforeContainer
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("airlock-parity");
    gw = GatewayHarness.start(dir);
    gw.backend.json(DataPlaneTest.RECORD);
    grant = gw.grant(COVERED);
  }

  @AfterContainer
  static void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
  }

  @Provide
  Arbitrary<String> targets() {
    Arbitrary<String> piece =
        Arbitraries.frequencyOf(
            Tuple.of(10, Arbitraries.just(COVERED)),
            Tuple.of(4, Arbitraries.of("c-0002", "c-0001x", "C-0001", "c-0001.", "c%2d0001", "c-000%31")),
            Tuple.of(8, Arbitraries.just("/")),
            Tuple.of(3, Arbitraries.of(".", "..")),
            Tuple.of(2, Arbitraries.of("%2e", "%2E", "%2e%2e", ".%2e", "%2e.")),
            Tuple.of(2, Arbitraries.of("%2f", "%2F", "%5c", "%5C", "\\")),
            Tuple.of(1, Arbitraries.of("%25", "%252f", "%25%32%66")),
            Tuple.of(1, Arbitraries.of(";", ";a=b", ";/..")),
            Tuple.of(1, Arbitraries.of("%00", "%0a", "%0d", "%09", "%20", "+")),
            Tuple.of(1, Arbitraries.of("%c0%af", "%c0%ae", "%ef%bc%8f", "%e2%80%ae")),
            Tuple.of(1, Arbitraries.of("?", "#", "?a=/../c-0002", "&", "%3f", "%23")),
            Tuple.of(3, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(3)));
    Arbitrary<String> prefix = Arbitraries.of("/clients/", "/clients/" + COVERED, "/clients/" + COVERED + "/");
    Arbitrary<String> rest = piece.list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("", l));
    return net.jqwik.api.Combinators.combine(prefix, rest).as((p, s) -> p + s);
  }

  @Property(tries = 300)
  void what_the_backend_decodes_names_the_client_the_grant_covers(@ForAll("targets") String target) throws Exception {
    Wire.Response r =
        Wire.exchange(gw.dataPort(), "GET " + target + " HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + grant + "\r\n\r\n");
    Statistics.label("status").collect(r.status);
    // enough requests must get through for the property to mean anything
    Statistics.label("status").coverage(c -> c.check(200).percentage(pct -> pct >= 5.0));
    if (List.of(-1, 400, 401, 403, 404, 405, 414).contains(r.status)) {
      return;
    }
    assertThat(r.status).as("%s -> %s", target, r).isEqualTo(200);
    Optional<String> id = r.header("X-Airlock-Request-Id");
    assertThat(id).isPresent();
    Seen seen =
        gw.backend.seen().stream()
            .filter(s -> id.get().equals(s.headers().get("X-Airlock-Request-Id")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("200 for " + target + " but the backend never saw request " + id.get()));
    String decoded = URI.create(seen.uri()).getPath();
    List<String> segments = Arrays.asList(decoded.split("/", -1));
    assertThat(segments.size()).as("%s forwarded as %s", target, seen.uri()).isGreaterThanOrEqualTo(3);
    assertThat(segments.get(1)).as("%s forwarded as %s", target, seen.uri()).isEqualTo("clients");
    assertThat(segments.get(2)).as("%s forwarded as %s", target, seen.uri()).isEqualTo(COVERED);
    assertThat(segments).as("%s forwarded as %s", target, seen.uri()).doesNotContain("..", ".");
    gw.backend.seen().clear();
  }
}
