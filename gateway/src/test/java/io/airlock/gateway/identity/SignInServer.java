package io.airlock.gateway.identity;

import static io.airlock.gateway.identity.IdentityFixtures.await;

import io.airlock.gateway.testing.HandClock;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.config.SecretSource;
import io.airlock.policy.port.SignInStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The three sign-in endpoints alone on loopback against a {@link TinyIdp}, endpoints left to
 * discovery and the client secret in a file; what they audit is kept in {@link #audited}.
 */
final class SignInServer implements AutoCloseable {
  final String base;
  final OidcSignIn signIn;
  final OidcAuthenticator authenticator;
  final List<Map<String, Object>> audited = new CopyOnWriteArrayList<>();

  /** @param redirectScheme {@code http}, or {@code https} to see the cookie a TLS deployment gets */
  SignInServer(Vertx vertx, TinyIdp idp, SignInStore store, HandClock clock, Path dir, String redirectScheme)
      throws Exception {
    Router router = Router.router(vertx);
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    base = "http://127.0.0.1:" + server.actualPort() + "/";
    Path secret = Files.writeString(dir.resolve("client.secret"), TinyIdp.CLIENT_SECRET);
    URI redirect = URI.create(redirectScheme + "://127.0.0.1:" + server.actualPort() + "/auth/oidc/callback");
    OidcConfig config =
        new OidcConfig(idp.issuer(), TinyIdp.CLIENT_ID, idp.jwksUri(), List.of("ES256"), "sub", "roles", "teams",
            Duration.ofMinutes(10),
            Optional.of(new OidcConfig.SignIn(redirect, Optional.empty(), Optional.empty(),
                Optional.of(new SecretSource.FromFile(secret)), OidcConfig.SignIn.DEFAULT_SCOPES)));
    authenticator = await(OidcAuthenticator.start(vertx, config, clock));
    signIn = OidcSignIn.start(vertx, config, authenticator, store, clock,
        (type, fields) -> audited.add(Map.of("type", type, "fields", fields)));
    signIn.mount(router);
  }

  @Override
  public void close() {
    signIn.close();
    authenticator.close();
  }
}
