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
import org.junit.jupiter.params.provider.ValueSource;

/** Data-plane step 2: routes.yaml order, subpaths, case sensitivity, {client} extraction. */
class RouteTableTest {

  static Route route(String id, String template, boolean subpaths) {
    return new Route(
        id, template, subpaths, URI.create("http://backend.test"), Set.of("GET"), Optional.of("default"), false);
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
}
