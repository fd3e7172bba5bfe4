package io.airlock.policy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import java.net.URI;
import java.net.URISyntaxException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever a hostile client strings together, a target that {@link CanonicalPath#parse} accepts
 * is in canonical form, and what is forwarded parses back to exactly what was checked.
 */
class CanonicalPathPropertyTest {

  static final int MAX = 512;

  @Provide
  Arbitrary<String> hostileTargets() {
    Arbitrary<String> piece =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.just("/")),
            Tuple.of(3, Arbitraries.just(".")),
            Tuple.of(3, Arbitraries.just("..")),
            Tuple.of(1, Arbitraries.of("%2e", "%2E")),
            Tuple.of(1, Arbitraries.of("%2f", "%2F")),
            Tuple.of(1, Arbitraries.of("%5c", "%5C", "\\")),
            Tuple.of(1, Arbitraries.just("%25")),
            Tuple.of(1, Arbitraries.just(";")),
            Tuple.of(1, Arbitraries.just("%00")),
            Tuple.of(1, Arbitraries.of("%", "%2", "%2D", "%41", "%c0%ae", "#")),
            Tuple.of(8, Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(4)),
            Tuple.of(4, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(3)),
            Tuple.of(3, Arbitraries.just("-")));
    Arbitrary<String> path = piece.list().ofMaxSize(16).map(l -> String.join("", l));
    Arbitrary<String> prefix = Arbitraries.frequency(Tuple.of(12, "/"), Tuple.of(1, ""));
    Arbitrary<String> query =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.just("")),
            Tuple.of(
                1,
                Arbitraries.of("?", "?page=2", "?q=%2e%2e%2f", "?q=..", "?q=%", "?q=a b", "?q=%zz", "?a=1&b=2", "?x=%00")));
    return Combinators.combine(prefix, path, query).as((p, s, q) -> p + s + q);
  }

  @Property(tries = 1000)
  void accepted_targets_are_canonical_and_forward_to_what_was_checked(@ForAll("hostileTargets") String raw)
      throws URISyntaxException {
    CanonicalPath p;
    try {
      p = CanonicalPath.parse(raw, MAX);
    } catch (Denied d) {
      // the only way to fail is a bad_path decision with a message a human can act on
      assertThat(d.reason()).isEqualTo(Reason.BAD_PATH);
      assertThat(d.getMessage()).isNotBlank();
      Statistics.label("outcome").collect("bad_path");
      return;
    }
    Statistics.label("outcome").collect("ok");
    Statistics.label("outcome").coverage(c -> c.check("ok").percentage(pct -> pct >= 5.0));

    String path = p.path();
    assertThat(path).startsWith("/");
    for (String s : p.segments()) {
      assertThat(s).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..").doesNotEndWith(".");
    }
    assertThat(path).doesNotContain("//").doesNotContain("%").doesNotContain("\\").doesNotContain(";");
    assertThat(path.chars()).allMatch(c -> c >= 0x20 && c != 0x7f && c < 0x80);
    assertThat(path).isEqualTo(p.segments().isEmpty() ? "/" : "/" + String.join("/", p.segments()));

    // what the backend decodes is what was checked: re-parsing the forwarded target is a no-op
    String fwd = p.forwardTarget("");
    CanonicalPath again = CanonicalPath.parse(fwd, Integer.MAX_VALUE);
    assertThat(again.path()).isEqualTo(path);
    assertThat(again.segments()).isEqualTo(p.segments());
    assertThat(again.rawQuery()).isEqualTo(p.rawQuery());

    // and an independent URI parser, decoding and normalising, sees the same path
    URI uri = new URI("http://backend.test/api" + fwd);
    assertThat(uri.getRawPath()).isEqualTo("/api" + path);
    assertThat(uri.getPath()).isEqualTo("/api" + path);
    assertThat(uri.normalize().getPath()).isEqualTo("/api" + path);
    assertThat(p.forwardTarget("/api/")).doesNotContain("//");
  }
}
