package io.airlock.policy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.policy.config.Route;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data-plane steps 1 and 2 (DESIGN.md "Data plane"): hostile request targets, what {@link
 * CanonicalPath#parse} makes of them, and what the gateway answers before any grant check.
 */
class CanonicalPathTest {

  static final int MAX = 256;

  /** One hostile target: {@code expected} is "bad_path" or "ok:&lt;decoded path&gt;". */
  record Case(String raw, String expected, String messageFragment) {
    static Case bad(String raw, String messageFragment) {
      return new Case(raw, "bad_path", messageFragment);
    }

    static Case ok(String raw, String decodedPath) {
      return new Case(raw, "ok:" + decodedPath, null);
    }

    boolean isBad() {
      return expected.equals("bad_path");
    }

    @Override
    public String toString() {
      return escape(raw) + " -> " + expected;
    }
  }

  static final String LONG_TARGET = "/clients/c-0001/" + "a".repeat(MAX - "/clients/c-0001/".length() + 1);
  static final String MAX_TARGET = "/clients/c-0001/" + "a".repeat(MAX - "/clients/c-0001/".length());

  static Stream<Case> parseCases() {
    return Stream.of(
        // encoded dots, any case, and double encoding
        Case.bad("/clients/%2e%2e/c-0002", "encoded '.'"),
        Case.bad("/clients/%2E%2E/c-0002", "encoded '.'"),
        Case.bad("/clients/%2e%2E/c-0002", "encoded '.'"),
        Case.bad("/clients/.%2e/c-0002", "encoded '.'"),
        Case.bad("/clients/c-0001/%2e%2e/%2e%2e/admin", "encoded '.'"),
        Case.bad("/clients/c-0001%2ejson", "encoded '.'"),
        Case.bad("/clients/%252e%252e/c-0002", "double encoding"),
        Case.bad("/clients/c-0001%252fadmin", "double encoding"),
        Case.bad("/clients/c-0001%2500", "double encoding"),
        // encoded and raw separators
        Case.bad("/clients/c-0001%2f..%2fc-0002", "encoded '/'"),
        Case.bad("/clients/c-0001%2F..%2Fc-0002", "encoded '/'"),
        Case.bad("/clients/c-0001%5c..%5cc-0002", "encoded '\\'"),
        Case.bad("/clients/c-0001%5C", "encoded '\\'"),
        Case.bad("/clients\\c-0001", "backslash"),
        Case.bad("/clients/c-0001\\..\\c-0002", "backslash"),
        Case.bad("/clients//c-0001", "empty path segment"),
        Case.bad("//clients/c-0001", "empty path segment"),
        Case.bad("/clients/c-0001//transactions", "empty path segment"),
        // dot segments
        Case.bad("/clients/./c-0001", "dot segment"),
        Case.bad("/clients/c-0002/../c-0001", "dot segment"),
        Case.bad("/clients/c-0001/..", "dot segment"),
        Case.bad("/clients/c-0001/.", "dot segment"),
        Case.bad("/..", "dot segment"),
        // matrix parameters, trailing dot
        Case.bad("/clients/c-0001;jsessionid=abc", "';' (path parameter)"),
        Case.bad("/clients/c-0001;jsessionid=abc/transactions", "';' (path parameter)"),
        Case.bad("/clients;x=1/c-0001", "';' (path parameter)"),
        Case.bad("/clients/c-0001%3bjsessionid=abc", "';' (path parameter)"),
        Case.bad("/clients/c-0001.", "ends with '.'"),
        Case.bad("/clients/c-0001...", "ends with '.'"),
        Case.bad("/clients/c-0001./transactions", "ends with '.'"),
        // UTF-8: overlong, invalid, surrogate, truncated sequence, valid but non-ASCII
        Case.bad("/clients/%c0%ae%c0%ae/c-0002", "not valid UTF-8"),
        Case.bad("/clients/%e0%80%ae%e0%80%ae/c-0002", "not valid UTF-8"),
        Case.bad("/clients/c-0001%c0%af..", "not valid UTF-8"),
        Case.bad("/clients/c-0001%ff", "not valid UTF-8"),
        Case.bad("/clients/c-0001%ed%a0%80", "not valid UTF-8"),
        Case.bad("/clients/c-0001%c3", "not valid UTF-8"),
        Case.bad("/clients/c-0001%c3%a9", "U+00E9"),
        Case.bad("/clients/c-0001%e2%80%ae", "U+202E"),
        Case.bad("/clients/%ef%bc%8f..%ef%bc%8fc-0002", "U+FF0F"),
        Case.bad("/clients/c-\u00e9", "non-ASCII"),
        Case.bad("/clients/c-0001\u2215..", "non-ASCII"),
        // control characters, raw and encoded; DEL; tab; space
        Case.bad("/clients/c-0001%00", "encoded control character"),
        Case.bad("/clients/c-0001%00.json", "encoded control character"),
        Case.bad("/clients/c-0001\u0000", "control character"),
        Case.bad("/clients/c-0001\r\nX-Injected: 1", "control character"),
        Case.bad("/clients/c-0001%0d%0aX-Injected:%201", "encoded control character"),
        Case.bad("/clients/c-0001\u007f", "control character"),
        Case.bad("/clients/c-0001%7f", "encoded control character"),
        Case.bad("/clients/c-0001\t", "control character"),
        Case.bad("/clients/c-0001%09", "encoded control character"),
        Case.bad("/clients/c-0001%20", "U+0020"),
        Case.bad("/clients/c 0001", "U+0020"),
        // delimiters smuggled by encoding
        Case.bad("/clients/c-0001%3F.json", "U+003F"),
        Case.bad("/clients/c-0001%23frag", "U+0023"),
        // broken percent-encoding
        Case.bad("/clients/c-1%2", "truncated percent-encoding"),
        Case.bad("/clients/c-1%", "truncated percent-encoding"),
        Case.bad("/clients/c-1%2?page=2", "truncated percent-encoding"),
        Case.bad("/clients/c-1%zz", "malformed percent-encoding"),
        Case.bad("/clients/c-1%2g", "malformed percent-encoding"),
        Case.bad("/clients/c-1%%32%65", "malformed percent-encoding"),
        // not origin-form
        Case.bad("http://evil.example/clients/c-0001", "starting with '/'"),
        Case.bad("HTTP://evil.example/clients/c-0001", "starting with '/'"),
        Case.bad("*", "starting with '/'"),
        Case.bad("example.com:443", "starting with '/'"),
        Case.bad("clients/c-0001", "starting with '/'"),
        Case.bad("", "empty request target"),
        // fragments
        Case.bad("/clients/c-0001#frag", "fragment"),
        Case.bad("/clients/c-0001?page=2#frag", "fragment"),
        Case.bad("/clients/c-0001#/../c-0002?x=1", "fragment"),
        // query
        Case.bad("/clients/c-0001?page=\u0001", "in query"),
        Case.bad("/clients/c-0001?q=a b", "in query"),
        Case.bad("/clients/c-0001?q=a\r\nX-Injected: 1", "in query"),
        Case.bad("/clients/c-0001?q=\u00e9", "in query"),
        Case.bad("/clients/c-0001?q=%zz", "malformed percent-encoding in query"),
        Case.bad("/clients/c-0001?q=%2", "malformed percent-encoding in query"),
        Case.bad("/clients/c-0001?q=%", "malformed percent-encoding in query"),
        // trailing slash, length
        Case.bad("/clients/c-0001/", "trailing '/'"),
        Case.bad("/clients/c-0001/transactions/", "trailing '/'"),
        Case.bad(LONG_TARGET, "longer than " + MAX),
        // accepted
        Case.ok("/clients/c-0001", "/clients/c-0001"),
        Case.ok("/clients/c-0001/transactions", "/clients/c-0001/transactions"),
        Case.ok("/clients/c-0001/transactions/extra", "/clients/c-0001/transactions/extra"),
        Case.ok("/clients/c-0001?page=2", "/clients/c-0001"),
        Case.ok("/clients/c-0001?", "/clients/c-0001"),
        Case.ok("/clients/c-0001?next=%2e%2e%2fadmin", "/clients/c-0001"),
        Case.ok("/clients/c%2D0001", "/clients/c-0001"),
        Case.ok("/clients/%63%2d0001", "/clients/c-0001"),
        Case.ok("/Clients/c-0001", "/Clients/c-0001"),
        Case.ok("/clients/c-0001.json", "/clients/c-0001.json"),
        Case.ok("/clients/.well-known", "/clients/.well-known"),
        Case.ok("/", "/"),
        Case.ok(MAX_TARGET, MAX_TARGET));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parseCases")
  void parse_outcome(Case c) {
    if (c.isBad()) {
      Denied d = catchThrowableOfType(Denied.class, () -> CanonicalPath.parse(c.raw(), MAX));
      assertThat(d).as("expected bad_path for %s", escape(c.raw())).isNotNull();
      assertThat(d.reason()).isEqualTo(Reason.BAD_PATH);
      assertThat(d.reason().code()).isEqualTo("bad_path");
      assertThat(d.getMessage()).isNotBlank().contains(c.messageFragment());
    } else {
      CanonicalPath p = CanonicalPath.parse(c.raw(), MAX);
      assertThat("ok:" + p.path()).isEqualTo(c.expected());
      assertThat(p.path()).isEqualTo(p.segments().isEmpty() ? "/" : "/" + String.join("/", p.segments()));
      // what is forwarded is rebuilt from the checked form and parses back to the same thing
      for (String base : new String[] {"", "/api", "/api/"}) {
        String fwd = p.forwardTarget(base);
        String fwdPath = fwd.indexOf('?') < 0 ? fwd : fwd.substring(0, fwd.indexOf('?'));
        assertThat(fwdPath).doesNotContain("..").doesNotContain("//").doesNotContain("%").startsWith("/");
      }
      CanonicalPath again = CanonicalPath.parse(p.forwardTarget(""), Integer.MAX_VALUE);
      assertThat(again).isEqualTo(p);
    }
  }

  @Test
  void parse_case_table_is_big_enough() {
    assertThat(parseCases().count()).isGreaterThanOrEqualTo(35);
    assertThat(parseCases().map(Case::raw).distinct().count()).isEqualTo(parseCases().count());
  }

  @Test
  void segments_and_query_of_a_normal_path() {
    CanonicalPath p = CanonicalPath.parse("/clients/c-0001/transactions?page=2&sort=desc", MAX);
    assertThat(p.segments()).containsExactly("clients", "c-0001", "transactions");
    assertThat(p.rawQuery()).isEqualTo("page=2&sort=desc");
    assertThat(CanonicalPath.parse("/clients/c-0001", MAX).rawQuery()).isNull();
    assertThat(CanonicalPath.parse("/clients/c-0001?", MAX).rawQuery()).isEmpty();
    assertThat(CanonicalPath.parse("/", MAX).segments()).isEmpty();
  }

  @Test
  void query_is_kept_verbatim_not_decoded() {
    CanonicalPath p = CanonicalPath.parse("/clients/c-0001?next=%2e%2e%2fadmin&x=%41", MAX);
    assertThat(p.rawQuery()).isEqualTo("next=%2e%2e%2fadmin&x=%41");
    assertThat(p.forwardTarget("")).isEqualTo("/clients/c-0001?next=%2e%2e%2fadmin&x=%41");
  }

  @Test
  void null_target_is_bad_path() {
    assertThatThrownBy(() -> CanonicalPath.parse(null, MAX))
        .isInstanceOfSatisfying(Denied.class, d -> assertThat(d.reason()).isEqualTo(Reason.BAD_PATH))
        .hasMessageContaining("empty");
  }

  @Test
  void length_limit_is_inclusive() {
    assertThat(MAX_TARGET).hasSize(MAX);
    assertThat(LONG_TARGET).hasSize(MAX + 1);
    assertThat(CanonicalPath.parse(MAX_TARGET, MAX).path()).isEqualTo(MAX_TARGET);
    assertThatThrownBy(() -> CanonicalPath.parse(LONG_TARGET, MAX))
        .isInstanceOf(Denied.class)
        .hasMessageContaining("longer than " + MAX);
  }

  @Test
  void forward_target_keeps_the_query_and_never_has_dot_dot_or_double_slash() {
    CanonicalPath p = CanonicalPath.parse("/clients/c%2D0001/transactions?page=2&sort=desc", MAX);
    assertThat(p.forwardTarget("")).isEqualTo("/clients/c-0001/transactions?page=2&sort=desc");
    assertThat(p.forwardTarget("/api")).isEqualTo("/api/clients/c-0001/transactions?page=2&sort=desc");
    assertThat(p.forwardTarget("/api/")).isEqualTo("/api/clients/c-0001/transactions?page=2&sort=desc");
    assertThat(p.forwardTarget(null)).isEqualTo("/clients/c-0001/transactions?page=2&sort=desc");
    assertThat(p.forwardTarget("/")).isEqualTo("/clients/c-0001/transactions?page=2&sort=desc");
    for (String base : new String[] {"", "/api", "/api/", "/", null}) {
      assertThat(p.forwardTarget(base)).doesNotContain("..").doesNotContain("//").endsWith("?page=2&sort=desc");
    }
    CanonicalPath noQuery = CanonicalPath.parse("/clients/c-0001", MAX);
    assertThat(noQuery.forwardTarget("/api/")).isEqualTo("/api/clients/c-0001");
    CanonicalPath emptyQuery = CanonicalPath.parse("/clients/c-0001?", MAX);
    assertThat(emptyQuery.forwardTarget("/api")).isEqualTo("/api/clients/c-0001?");
  }

  // ---- step 1 + step 2: what the gateway answers before any grant check ----

  static final RouteTable ROUTES =
      new RouteTable(
          List.of(
              route("transactions", "/clients/{client}/transactions", false),
              route("client", "/clients/{client}", true)));

  static Route route(String id, String template, boolean subpaths) {
    return new Route(
        id, template, subpaths, URI.create("http://backend.test/api"), Set.of("GET", "HEAD"), Optional.of("default"), Set.of());
  }

  /** "400", "404" or "route X, client Y": the answer of data-plane steps 1 and 2. */
  static String gatewayStatus(String raw) {
    CanonicalPath p;
    try {
      p = CanonicalPath.parse(raw, MAX);
    } catch (Denied d) {
      assertThat(d.reason()).isEqualTo(Reason.BAD_PATH);
      return "400";
    }
    return ROUTES.match(p).map(m -> "route " + m.route().id() + ", client " + m.clientId()).orElse("404");
  }

  static Stream<String[]> statusCases() {
    return Stream.of(
        new String[] {"/clients/c-0001", "route client, client c-0001"},
        new String[] {"/clients/c-0001?page=2", "route client, client c-0001"},
        new String[] {"/clients/c-0001/transactions", "route transactions, client c-0001"},
        new String[] {"/clients/c-0001/transactions?page=2", "route transactions, client c-0001"},
        new String[] {"/clients/c-0001/transactions/extra", "route client, client c-0001"},
        new String[] {"/clients/c-0001/Transactions", "route client, client c-0001"},
        new String[] {"/clients/c-0001/profile/addresses", "route client, client c-0001"},
        new String[] {"/clients/c%2D0001", "route client, client c-0001"},
        new String[] {"/clients/c%2D0001/transactions", "route transactions, client c-0001"},
        new String[] {"/clients/C-0001", "route client, client C-0001"},
        new String[] {"/clients/c-0001.json", "route client, client c-0001.json"},
        new String[] {"/clients/transactions", "route client, client transactions"},
        new String[] {"/Clients/c-0001", "404"},
        new String[] {"/CLIENTS/c-0001/transactions", "404"},
        new String[] {"/clients", "404"},
        new String[] {"/", "404"},
        new String[] {"/api/clients/c-0001", "404"},
        new String[] {"/client/c-0001", "404"},
        new String[] {"/clients/c-0001/", "400"},
        new String[] {"/clients/c-0001.", "400"},
        new String[] {"/clients/c-0001%00", "400"},
        new String[] {"/clients/c-0002/../c-0001", "400"},
        new String[] {"/clients/c-0002/%2e%2e/c-0001", "400"},
        new String[] {"/clients/c-0002%2f..%2fc-0001", "400"},
        new String[] {"/clients/c-0001;jsessionid=abc", "400"},
        new String[] {"/clients/c-0001;jsessionid=abc/transactions", "400"},
        new String[] {"/clients//c-0001", "400"},
        new String[] {"/Clients/c-0001/..", "400"},
        new String[] {"http://evil.example/clients/c-0001", "400"},
        new String[] {"*", "400"},
        new String[] {"example.com:443", "400"},
        new String[] {"", "400"},
        new String[] {"/clients/c-0001#x", "400"},
        new String[] {"/clients/c-0001?q=a b", "400"},
        new String[] {LONG_TARGET, "400"});
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("statusCases")
  void gateway_answer_before_grant_checks(String raw, String expected) {
    assertThat(gatewayStatus(raw)).as(escape(raw)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parseCases")
  void every_parse_case_has_a_consistent_gateway_answer(Case c) {
    String status = gatewayStatus(c.raw());
    if (c.isBad()) {
      assertThat(status).isEqualTo("400");
    } else {
      assertThat(status).isNotEqualTo("400");
    }
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch < 0x20 || ch >= 0x7f) {
        b.append(String.format("\\u%04x", (int) ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }
}
