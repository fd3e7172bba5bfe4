package io.airlock.gateway.identity;

import static io.airlock.gateway.identity.IdentityFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.HandClock;
import io.airlock.gateway.store.memory.InMemorySignInStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Browser sign-in where the endpoints come from the provider's discovery document: a document
 * that is not the provider's own, or a provider without PKCE S256, makes sign-in refuse with the
 * reason; the provider is asked again on a later sign-in, not on every one.
 */
class OidcSignInDiscoveryTest {
  @TempDir Path dir;
  private Vertx vertx;
  private TinyIdp idp;
  private SignInServer server;
  private final HandClock clock = new HandClock(Instant.now());
  private List<Map<String, Object>> audited;
  private SsoJar jar;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    idp = new TinyIdp();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    await(vertx.close());
    idp.close();
  }

  /** Serves the three sign-in endpoints with endpoints left to discovery and a secret file. */
  private void serve() throws Exception {
    server = new SignInServer(vertx, idp, new InMemorySignInStore(), clock, dir, "http");
    audited = server.audited;
    jar = new SsoJar(server.base, idp);
  }

  /** A sign-in that cannot start: the browser goes straight back to the UI, with the reason waiting. */
  private String refusedSignIn() throws Exception {
    JsonObject r = jar.collect(jar.handoffIn(jar.login()), 401);
    assertThat(r.getString("error")).isEqualTo("idp_unreachable");
    return r.getString("message");
  }

  @Test
  void aDiscoveryDocumentNamingAnotherIssuerIsNotUsed() throws Exception {
    idp.discoveryOverrides(new JsonObject().put("issuer", "https://evil.example.com"));
    serve();
    assertThat(refusedSignIn())
        .contains("Sign-in with SSO is not available right now")
        .contains("names issuer 'https://evil.example.com', not identity.oidc.issuer");

    // fixed at the provider: not asked again at once, but on a sign-in after the retry interval
    idp.discoveryOverrides(new JsonObject());
    assertThat(refusedSignIn()).contains("evil.example.com");
    clock.advance(OidcSignIn.DISCOVERY_RETRY.plusSeconds(1));
    assertThat(jar.collect(jar.handoff(jar.toCallback()), 200).getString("user")).isEqualTo("alice");
    assertThat(audited).singleElement().satisfies(a -> assertThat(a.get("type")).isEqualTo("login"));
  }

  @Test
  void aProviderWithoutPkceS256IsNotUsed() throws Exception {
    idp.discoveryOverrides(new JsonObject().put("code_challenge_methods_supported", new JsonArray().add("plain")));
    serve();
    assertThat(refusedSignIn()).contains("does not offer PKCE with S256");
  }

  @Test
  void anEndpointOverPlainHttpOffLoopbackIsNotUsed() throws Exception {
    idp.discoveryOverrides(new JsonObject().put("token_endpoint", "http://idp.example.com/token"));
    serve();
    assertThat(refusedSignIn()).contains("token_endpoint").contains("must be an https:// URL");
  }
}
