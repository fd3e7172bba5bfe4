package io.airlock.policy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.policy.config.Route;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Data-plane step 2: routes.yaml order, subpaths, case sensitivity, {client} extraction. */
class RouteTableTest {
  static final String CLIENT = RouteTable.CLIENT_VARIABLE;


  static Route route(String id, String template, boolean subpaths) {
    return new Route(
        id, template, subpaths, URI.create("http://backend.test"), Set.of("GET"), Optional.of("default"), Set.of());
  }

  static CanonicalPath path(String raw) {
    return CanonicalPath.parse(raw, 2048);
  }

  static String matchOf(RouteTable t, String raw) {
    return t.match(path(raw)).map(m -> m.route().id() + "/" + m.clientId()).orElse("none");
  }

  @Test
  void first_match_in_file_order_wins() {
    RouteTable ab = new RouteTable(List.of(route("a", "/clients/{client}", true), route("b", "/clients/{client}", true)));
    RouteTable ba = new RouteTable(List.of(route("b", "/clients/{client}", true), route("a", "/clients/{client}", true)));
    assertThat(matchOf(ab, "/clients/c-1")).isEqualTo("a/c-1");
    assertThat(matchOf(ba, "/clients/c-1")).isEqualTo("b/c-1");
  }

  @Test
  void specific_route_listed_first_wins_and_listed_second_is_shadowed() {
    Route tx = route("transactions", "/clients/{client}/transactions", false);
    Route client = route("client", "/clients/{client}", true);
    RouteTable specificFirst = new RouteTable(List.of(tx, client));
    RouteTable generalFirst = new RouteTable(List.of(client, tx));

    assertThat(matchOf(specificFirst, "/clients/c-1/transactions")).isEqualTo("transactions/c-1");
    assertThat(matchOf(specificFirst, "/clients/c-1/transactions/extra")).isEqualTo("client/c-1");
    assertThat(matchOf(specificFirst, "/clients/c-1")).isEqualTo("client/c-1");

    assertThat(matchOf(generalFirst, "/clients/c-1/transactions")).isEqualTo("client/c-1");
  }

  @Test
  void subpaths_off_matches_exactly_the_template_length() {
    RouteTable t = new RouteTable(List.of(route("exact", "/clients/{client}", false)));
    assertThat(matchOf(t, "/clients/c-1")).isEqualTo("exact/c-1");
    assertThat(matchOf(t, "/clients/c-1/transactions")).isEqualTo("none");
    assertThat(matchOf(t, "/clients")).isEqualTo("none");
    assertThat(matchOf(t, "/")).isEqualTo("none");
  }

  @Test
  void subpaths_on_matches_the_template_and_anything_below_it_but_nothing_shorter() {
    RouteTable t = new RouteTable(List.of(route("deep", "/clients/{client}", true)));
    assertThat(matchOf(t, "/clients/c-1")).isEqualTo("deep/c-1");
    assertThat(matchOf(t, "/clients/c-1/transactions")).isEqualTo("deep/c-1");
    assertThat(matchOf(t, "/clients/c-1/a/b/c/d")).isEqualTo("deep/c-1");
    assertThat(matchOf(t, "/clients")).isEqualTo("none");
    assertThat(matchOf(t, "/")).isEqualTo("none");
    assertThat(matchOf(t, "/other/c-1")).isEqualTo("none");
  }

  @Test
  void literal_segments_must_match_whole_segments() {
    RouteTable t = new RouteTable(List.of(route("tx", "/clients/{client}/transactions", false)));
    assertThat(matchOf(t, "/clients/c-1/transactions")).isEqualTo("tx/c-1");
    assertThat(matchOf(t, "/clients/c-1/transactionsX")).isEqualTo("none");
    assertThat(matchOf(t, "/clients/c-1/transaction")).isEqualTo("none");
    assertThat(matchOf(t, "/clientsX/c-1/transactions")).isEqualTo("none");
  }

  @Test
  void matching_is_case_sensitive_and_the_client_id_is_not_folded() {
    RouteTable t =
        new RouteTable(
            List.of(route("tx", "/clients/{client}/transactions", false), route("client", "/clients/{client}", true)));
    assertThat(matchOf(t, "/Clients/c-1")).isEqualTo("none");
    assertThat(matchOf(t, "/CLIENTS/c-1")).isEqualTo("none");
    assertThat(matchOf(t, "/clients/c-1/Transactions")).isEqualTo("client/c-1");
    assertThat(matchOf(t, "/clients/C-1")).isEqualTo("client/C-1");
  }

  @Test
  void client_segment_is_extracted_wherever_it_stands() {
    RouteTable first = new RouteTable(List.of(route("first", "/{client}/profile", false)));
    RouteTable middle = new RouteTable(List.of(route("middle", "/v1/clients/{client}/accounts", true)));
    RouteTable last = new RouteTable(List.of(route("last", "/v1/clients/{client}", false)));

    assertThat(matchOf(first, "/c-9/profile")).isEqualTo("first/c-9");
    assertThat(matchOf(first, "/c-9/other")).isEqualTo("none");
    assertThat(matchOf(middle, "/v1/clients/c-0042/accounts")).isEqualTo("middle/c-0042");
    assertThat(matchOf(middle, "/v1/clients/c-0042/accounts/acc-7")).isEqualTo("middle/c-0042");
    assertThat(matchOf(middle, "/v1/clients/c-0042")).isEqualTo("none");
    assertThat(matchOf(last, "/v1/clients/c-0042")).isEqualTo("last/c-0042");
    // the client id is the decoded segment
    assertThat(matchOf(last, "/v1/clients/c%2D0042")).isEqualTo("last/c-0042");
  }

  @Test
  void match_returns_the_route_object_itself() {
    Route r = route("client", "/clients/{client}", true);
    RouteTable t = new RouteTable(List.of(r));
    RouteTable.RouteMatch m = t.match(path("/clients/c-1/x")).orElseThrow();
    assertThat(m.route()).isSameAs(r);
    assertThat(m.clientId()).isEqualTo("c-1");
  }

  @Test
  void empty_table_matches_nothing() {
    RouteTable t = new RouteTable(List.of());
    assertThat(t.match(path("/clients/c-1"))).isEmpty();
    assertThat(t.match(path("/"))).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] '{0}'")
  @ValueSource(
      strings = {
        "/clients/all",
        "/clients/{client}/peers/{client}",
        "/{client}/{client}",
        "/clients/x{client}",
        "/clients/{client}x",
        "/clients/{Client}",
        "/clients/{ client }",
        "/clients/{id}",
        "clients/{client}",
        "{client}",
        "/",
        ""
      })
  void template_without_exactly_one_client_segment_or_leading_slash_is_rejected(String template) {
    assertThatThrownBy(() -> new RouteTable(List.of(route("bad-route", template, true))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad-route");
  }

  @Test
  void one_bad_route_rejects_the_whole_table() {
    assertThatThrownBy(
            () ->
                new RouteTable(
                    List.of(route("good", "/clients/{client}", true), route("twice", "/{client}/x/{client}", false))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice")
        .hasMessageContaining("{client} exactly once");
  }

  static Route route(String id, String template, boolean subpaths, String... methods) {
    return new Route(
        id, template, subpaths, URI.create("http://backend.test"), Set.of(methods), Optional.of("default"), Set.of());
  }

  @ParameterizedTest(name = "{0} subpaths={1} shadows {2} subpaths={3}: {4}")
  @CsvSource({
    // a subpaths route takes its template and everything below it
    "/clients/{client}, true, /clients/{client}/statements, false, true",
    "/clients/{client}, true, /clients/{client}/statements, true, true",
    "/clients/{client}, true, /clients/{client}, false, true",
    "/clients/{client}, true, /clients/{client}/a/b, false, true",
    "/{client}/x, true, /{client}/x/y, false, true",
    "/{client}/x, true, /{client}/x, true, true",
    // an exact route takes exactly its own template
    "/clients/{client}, false, /clients/{client}, false, true",
    "/clients/{client}, false, /clients/{client}, true, false",
    "/clients/{client}, false, /clients/{client}/statements, false, false",
    // a literal does not take the later {client}, which takes any segment
    "/{client}/x, false, /x/{client}, false, false",
    "/{client}/clients, true, /clients/{client}, true, false",
    // shorter later paths, other literals: overlap at most
    "/clients/{client}/statements, true, /clients/{client}, true, false",
    "/clients/{client}/transactions, true, /clients/{client}/statements, false, false",
    "/clients/{client}, true, /accounts/{client}, true, false",
    "/clients/{client}, true, /Clients/{client}, false, false",
  })
  void shadowing_is_only_ever_complete(String earlier, boolean earlierSub, String later, boolean laterSub, boolean shadows) {
    assertThat(RouteTable.shadows(route("e", earlier, earlierSub), route("l", later, laterSub))).isEqualTo(shadows);
  }

  @Test
  void methods_play_no_part_in_shadowing_because_matching_ignores_them() {
    Route getOnly = route("record", "/clients/{client}", true, "GET");
    Route post = route("notes", "/clients/{client}/notes", false, "POST");
    assertThat(RouteTable.shadows(getOnly, post)).isTrue();
    // and indeed: the earlier route takes the path, the method check then answers 405
    RouteTable t = new RouteTable(List.of(getOnly, post));
    assertThat(matchOf(t, "/clients/c-1/notes")).isEqualTo("record/c-1");
  }

  /**
   * Every template of up to three segments over two literals, with and without subpaths, against
   * every other, checked against the matcher on every path of up to four segments over those
   * literals and one other value: shadows() says yes exactly when no path tells them apart.
   */
  @Test
  void shadows_agrees_with_the_matcher_on_every_small_table() {
    List<String> literals = List.of("clients", "x");
    List<Route> routes = new java.util.ArrayList<>();
    for (int len = 1; len <= 3; len++) {
      for (int at = 0; at < len; at++) {
        for (int bits = 0; bits < 1 << (len - 1); bits++) {
          StringBuilder t = new StringBuilder();
          int b = bits;
          for (int i = 0; i < len; i++) {
            t.append('/').append(i == at ? CLIENT : literals.get(b & 1));
            if (i != at) {
              b >>= 1;
            }
          }
          routes.add(route("r" + routes.size(), t.toString(), false));
          routes.add(route("r" + routes.size(), t.toString(), true));
        }
      }
    }
    List<String> segments = List.of("clients", "x", "c-1");
    List<CanonicalPath> paths = new java.util.ArrayList<>();
    List<String> frontier = List.of("");
    for (int len = 1; len <= 4; len++) {
      List<String> next = new java.util.ArrayList<>();
      for (String p : frontier) {
        for (String seg : segments) {
          next.add(p + "/" + seg);
        }
      }
      next.forEach(p -> paths.add(path(p)));
      frontier = next;
    }
    assertThat(routes).hasSize(34);
    for (Route e : routes) {
      RouteTable earlier = new RouteTable(List.of(e));
      for (Route l : routes) {
        RouteTable later = new RouteTable(List.of(l));
        boolean covered = paths.stream().allMatch(p -> later.match(p).isEmpty() || earlier.match(p).isPresent());
        assertThat(RouteTable.shadows(e, l))
            .as("%s%s vs %s%s", e.pathTemplate(), e.subpaths() ? "/**" : "", l.pathTemplate(), l.subpaths() ? "/**" : "")
            .isEqualTo(covered);
      }
    }
  }

  @Test
  void unreachable_names_each_shadowed_route_with_the_first_route_that_takes_its_paths() {
    Route record = route("client-record", "/clients/{client}", true);
    Route statements = route("client-statements", "/clients/{client}/statements", false);
    Route transactions = route("client-transactions", "/clients/{client}/transactions", false);
    Route other = route("accounts", "/accounts/{client}", false);
    Route everything = route("everything", "/{client}", true);

    assertThat(RouteTable.unreachable(List.of(record, statements, other, transactions)))
        .containsExactly(new RouteTable.Shadowed(1, 0), new RouteTable.Shadowed(3, 0));
    assertThat(RouteTable.unreachable(List.of(statements, transactions, record, other))).isEmpty();
    assertThat(RouteTable.unreachable(List.of(statements, everything, record)))
        .containsExactly(new RouteTable.Shadowed(2, 1));
  }
}
