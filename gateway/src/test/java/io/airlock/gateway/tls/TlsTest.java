package io.airlock.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.config.ConfigException;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.gateway.testing.TestPki;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.DataPlaneConfig;
import io.airlock.policy.config.ListenerConfig;
import io.airlock.policy.config.Route;
import io.airlock.policy.config.TlsConfig;
import io.airlock.policy.config.UpstreamTls;
import io.airlock.policy.grant.Action;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10 "TLS": HTTPS on both planes from PEM files, TLS 1.2+, HTTP/1.1 only, verified backends. */
class TlsTest {
  @TempDir Path dir;
  private TestPki pki;

  @BeforeEach
  void certificates() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
  }

  @Test
  void the_data_plane_serves_a_grant_over_https_on_http_1_1_and_the_control_plane_over_https() throws Exception {
    try (RecordingBackend backend = RecordingBackend.start();
        AirlockNode node = AirlockNode.start(withTls(TestConfigs.config(dir, backend.uri())), Clock.systemUTC())) {
      backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
      HttpClient http =
          HttpClient.newBuilder().sslContext(TestPki.trusting(pki.caCert(), "TLS")).version(HttpClient.Version.HTTP_2).build();

      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create("https://localhost:" + node.dataPlanePort() + "/clients/c-0001"))
              .header("Authorization", "Bearer " + grant(node)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("Ada");
      assertThat(r.version()).as("h2 is not negotiated on the data plane").isEqualTo(HttpClient.Version.HTTP_1_1);

      HttpResponse<String> ready = http.send(
          HttpRequest.newBuilder(URI.create("https://localhost:" + node.controlPlanePort() + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);

      TestPki.Result alpn = TestPki.run(dir, "s_client", "-connect", "127.0.0.1:" + node.dataPlanePort(), "-alpn", "h2,http/1.1");
      assertThat(alpn.output()).contains("ALPN protocol: http/1.1");
    }
  }

  @Test
  void certificates_replaced_on_disk_are_served_after_a_reload_and_open_connections_survive_it() throws Exception {
    try (RecordingBackend backend = RecordingBackend.start();
        AirlockNode node = AirlockNode.start(withTls(TestConfigs.config(dir, backend.uri())), Clock.systemUTC())) {
      backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
      URI url = URI.create("https://localhost:" + node.dataPlanePort() + "/clients/c-0001");
      String token = grant(node);
      // trusts only the old CA: after the reload it can talk to the node only over a connection it already had
      HttpClient old = HttpClient.newBuilder().sslContext(TestPki.trusting(pki.caCert(), "TLS")).build();
      assertThat(send(old, url, token).statusCode()).isEqualTo(200);

      TestPki next = TestPki.create(dir.resolve("pki-next"));
      Files.copy(next.serverCert(), pki.serverCert(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(next.serverKey(), pki.serverKey(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThat(node.reloadCertificates()).isTrue();

      assertThat(send(old, url, token).statusCode()).as("the open connection was not dropped").isEqualTo(200);
      HttpClient fresh = HttpClient.newBuilder().sslContext(TestPki.trusting(next.caCert(), "TLS")).build();
      assertThat(send(fresh, url, token).statusCode()).as("a new connection gets the new certificate").isEqualTo(200);
      assertThat(TestPki.run(dir, "s_client", "-connect", "127.0.0.1:" + node.dataPlanePort(), "-alpn", "h2,http/1.1").output())
          .contains("ALPN protocol: http/1.1");

      Files.writeString(pki.serverKey(), "not a key");
      assertThat(node.reloadCertificates()).as("a broken file is refused").isFalse();
      HttpClient another = HttpClient.newBuilder().sslContext(TestPki.trusting(next.caCert(), "TLS")).build();
      assertThat(send(another, url, token).statusCode()).as("still serving the last good certificate").isEqualTo(200);
    }
  }

  private static HttpResponse<String> send(HttpClient http, URI url, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(url).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tls_1_1_is_refused_by_the_server_and_tls_1_2_accepted() throws Exception {
    try (RecordingBackend backend = RecordingBackend.start();
        AirlockNode node = AirlockNode.start(withTls(TestConfigs.config(dir, backend.uri())), Clock.systemUTC())) {
      String at = "127.0.0.1:" + node.dataPlanePort();
      // SECLEVEL=0 lets this openssl offer TLS 1.1 at all: the refusal must come from the gateway
      TestPki.Result old = TestPki.run(dir, "s_client", "-connect", at, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
      assertThat(old.exit()).as(old.output()).isNotZero();
      assertThat(old.output()).as(old.output()).containsIgnoringCase("alert protocol version");

      TestPki.Result modern = TestPki.run(dir, "s_client", "-connect", at, "-tls1_2");
      assertThat(modern.output()).as(modern.output()).contains("New, TLSv1.2");
    }
  }

  @Test
  void a_non_loopback_listener_without_tls_is_refused_naming_the_key() throws Exception {
    Files.writeString(dir.resolve("airlock.yaml"), String.join("\n",
        "dataPlane: { host: 0.0.0.0 }",
        "controlPlane: { host: 10.0.0.5, tls: { certFile: cp.pem } }",
        "grants: { issuer: https://a.example.com, activeKid: k, keys: [ { kid: k, file: k.jwk.json } ] }",
        "identity: { mode: oidc, oidc: { issuer: https://idp.example.com, audience: airlock, jwksUri: https://idp.example.com/jwks } }",
        ""));
    Files.writeString(dir.resolve("routes.yaml"), String.join("\n",
        "routes:",
        "  - { id: r, path: \"/c/{client}\", backend: \"http://b:1\", methods: [GET], passthrough: [application/pdf], tls: { caFile: ca.pem } }",
        ""));

    assertThatThrownBy(() -> ConfigLoader.load(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("airlock.yaml: dataPlane.tls: missing (required: {certFile, keyFile} PEM files): plain HTTP is served only on a loopback host")
        .hasMessageContaining("airlock.yaml: controlPlane.tls.keyFile: missing")
        .hasMessageContaining("routes.yaml: routes[0].tls: only for an https:// backend");
  }

  @Test
  void the_files_are_watched_every_5s_by_default_0s_turns_it_off_and_a_busy_poll_is_refused() throws Exception {
    String grants = "grants: { issuer: https://a.example.com, activeKid: k, keys: [ { kid: k, file: k.jwk.json } ] }";
    Files.writeString(dir.resolve("routes.yaml"),
        "routes:\n  - { id: r, path: \"/c/{client}\", backend: \"http://b:1\", methods: [GET], passthrough: [application/pdf] }\n");
    Files.writeString(dir.resolve("airlock.yaml"), String.join("\n",
        "dataPlane: { tls: { certFile: dp.pem, keyFile: dp.key } }",
        "controlPlane: { tls: { certFile: cp.pem, keyFile: cp.key, watchInterval: 0s } }",
        grants, "identity: { mode: demo }", ""));
    AirlockConfig c = ConfigLoader.load(dir);
    assertThat(c.dataPlane().tls().orElseThrow().watchInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.controlPlane().tls().orElseThrow().watchInterval()).isZero();

    Files.writeString(dir.resolve("airlock.yaml"), String.join("\n",
        "dataPlane: { tls: { certFile: dp.pem, keyFile: dp.key, watchInterval: 10ms } }",
        "controlPlane: { tls: { certFile: cp.pem, keyFile: cp.key, watchInterval: 2h } }",
        grants, "identity: { mode: demo }", ""));
    assertThatThrownBy(() -> ConfigLoader.load(dir))
        .hasMessageContaining("airlock.yaml: dataPlane.tls.watchInterval: must be 0s (off) or at least 100ms")
        .hasMessageContaining("airlock.yaml: controlPlane.tls.watchInterval: 2h is over the maximum of 1h");
  }

  @Test
  void a_key_that_does_not_belong_to_its_certificate_stops_start_up_naming_file_and_key() throws Exception {
    TestPki other = TestPki.create(dir.resolve("pki-other"));
    AirlockConfig cfg = withTls(TestConfigs.config(dir, URI.create("http://127.0.0.1:9")));
    Files.copy(other.serverKey(), pki.serverKey(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> AirlockNode.start(cfg, Clock.systemUTC()))
        .hasMessageContaining("airlock.yaml: dataPlane.tls.keyFile: " + pki.serverKey() + " does not belong to the certificate in "
            + pki.serverCert());
  }

  @Test
  void a_certificate_file_that_cannot_be_read_stops_start_up_naming_file_and_key() throws Exception {
    AirlockConfig cfg = withTls(TestConfigs.config(dir, URI.create("http://127.0.0.1:9")));
    Files.delete(pki.serverKey());
    assertThatThrownBy(() -> AirlockNode.start(cfg, Clock.systemUTC()))
        .hasMessageContaining("airlock.yaml: dataPlane.tls.keyFile: " + pki.serverKey() + " does not exist")
        .hasMessageContaining("airlock.yaml: controlPlane.tls.keyFile: ");
  }

  @Test
  void an_https_backend_is_reached_with_its_ca_and_refused_502_with_another() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer backend = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
              .setKeyCertOptions(new PemKeyCertOptions().setCertPath(pki.serverCert().toString()).setKeyPath(pki.serverKey().toString())))
          .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end("{\"id\":\"c-0001\",\"name\":\"Ada\"}"))
          .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
      URI https = URI.create("https://localhost:" + backend.actualPort());
      AirlockConfig base = TestConfigs.config(dir, https);
      Route good = base.routes().get(0);
      Route raw = base.routes().get(1);
      AirlockConfig cfg = copy(base, base.dataPlane(), base.controlPlane(), List.of(
          new Route(good.id(), good.pathTemplate(), good.subpaths(), https, good.methods(), good.maskingProfile(), Set.of(),
              Optional.of(new UpstreamTls(pki.caCert(), Optional.empty(), Optional.empty()))),
          new Route(raw.id(), raw.pathTemplate(), raw.subpaths(), https, raw.methods(), raw.maskingProfile(), raw.passthroughTypes(),
              Optional.of(new UpstreamTls(pki.otherCaCert(), Optional.empty(), Optional.empty())))));
      try (AirlockNode node = AirlockNode.start(cfg, Clock.systemUTC())) {
        HttpClient http = HttpClient.newHttpClient();
        String token = grant(node);
        HttpResponse<String> ok = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.dataPlanePort() + "/clients/c-0001"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("Ada");

        HttpResponse<String> untrusted = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.dataPlanePort() + "/raw/c-0001"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(untrusted.statusCode()).isEqualTo(502);
        assertThat(untrusted.body()).contains("backend_unavailable").doesNotContain("Ada");
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private AirlockConfig withTls(AirlockConfig c) {
    TlsConfig tls = new TlsConfig(pki.serverCert(), pki.serverKey());
    DataPlaneConfig d = c.dataPlane();
    return copy(c,
        new DataPlaneConfig(d.host(), d.port(), d.maxRequestBodyBytes(), d.maxHeaderBytes(), d.maxUriLength(),
            d.backendConnectTimeout(), d.backendResponseTimeout(), d.corsOrigins(), Optional.of(tls)),
        new ListenerConfig(c.controlPlane().host(), c.controlPlane().port(), Optional.of(tls)),
        c.routes());
  }

  private static AirlockConfig copy(AirlockConfig c, DataPlaneConfig dp, ListenerConfig cp, List<Route> routes) {
    return c.withListeners(dp, cp, routes);
  }

  private static String grant(AirlockNode node) {
    return new GrantSigner(node.keys(), TestConfigs.ISSUER, Clock.systemUTC())
        .sign(new GrantClaims("alice", "SUP-1", List.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1", List.of("maria"),
            node.revocations().epoch(), Duration.ofMinutes(5)))
        .token();
  }
}
