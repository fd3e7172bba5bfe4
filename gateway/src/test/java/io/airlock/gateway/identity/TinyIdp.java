package io.airlock.gateway.identity;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny OpenID Connect provider on loopback, strict where a real one is: discovery, an
 * authorization endpoint that signs in whoever the test chose (no login page) and sends the
 * browser back with a code and the state, a token endpoint that checks client authentication,
 * the redirect URI, single use of the code and the PKCE verifier against the S256 challenge
 * before it hands out an ID token signed with its key, and the JWKS. Tokens are minted the way
 * the other identity tests mint them ({@link IdentityFixtures#mint}).
 */
public final class TinyIdp implements AutoCloseable {
  public static final String CLIENT_ID = "airlock";
  public static final String CLIENT_SECRET = "tiny-idp-secret-4f1c9a0b7e2d";

  /** Who /authorize signs in next. */
  public record Person(String id, List<String> roles, List<String> teams) {}

  private record Issued(String challenge, String redirectUri, String nonce, Person person, String audience) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final ECKey key = IdentityFixtures.ec("tiny-idp-1");
  private final Map<String, Issued> codes = new ConcurrentHashMap<>();
  /** Why /token refused, newest last: tests read the provider's side of a failure. */
  public final List<String> tokenRefusals = new CopyOnWriteArrayList<>();

  private volatile Person next = new Person("alice", List.of("agent"), List.of("payments"));
  private volatile String refuseWith;
  private volatile String nextAudience;
  private volatile boolean mixUpNextChallenge;
  private volatile String nextNonce;
  private volatile JsonObject discoveryOverrides = new JsonObject();

  public TinyIdp() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/.well-known/openid-configuration").handler(this::discovery);
    router.get("/authorize").handler(this::authorize);
    router.post("/token").handler(BodyHandler.create(false).setBodyLimit(16 * 1024)).handler(this::token);
    router.get("/certs").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/jwk-set+json")
        .end(new JWKSet(List.of(key)).toPublicJWKSet().toString()));
    server = IdentityFixtures.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  public String issuer() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public URI jwksUri() {
    return URI.create(issuer() + "/certs");
  }

  /** The next sign-ins are this person's (until changed). */
  public void signInAs(String id, List<String> roles, List<String> teams) {
    next = new Person(id, roles, teams);
  }

  /** The next /authorize answers with this OAuth error (e.g. access_denied), once. */
  public void refuseNextSignIn(String error) {
    refuseWith = error;
  }

  /** The next ID token is issued for this audience instead of the client id, once. */
  public void nextTokenAudience(String audience) {
    nextAudience = audience;
  }

  /**
   * Discovery answers with these fields replaced (e.g. another {@code issuer}), until called
   * again with an empty object.
   */
  public void discoveryOverrides(JsonObject fields) {
    discoveryOverrides = fields.copy();
  }

  /** The next ID token carries this nonce instead of the one the sign-in sent, once. */
  public void nextTokenNonce(String nonce) {
    nextNonce = nonce;
  }

  /**
   * The next code is bound to a challenge no verifier of this sign-in matches, once: what a
   * code issued for someone else's sign-in looks like when it is injected into this one.
   */
  public void mixUpNextChallenge() {
    mixUpNextChallenge = true;
  }

  private void discovery(RoutingContext ctx) {
    ctx.json(new JsonObject()
        .put("issuer", issuer())
        .put("authorization_endpoint", issuer() + "/authorize")
        .put("token_endpoint", issuer() + "/token")
        .put("jwks_uri", jwksUri().toString())
        .put("response_types_supported", new JsonArray().add("code"))
        .put("grant_types_supported", new JsonArray().add("authorization_code"))
        .put("code_challenge_methods_supported", new JsonArray().add("S256"))
        .put("id_token_signing_alg_values_supported", new JsonArray().add("ES256"))
        .mergeIn(discoveryOverrides));
  }

  private void authorize(RoutingContext ctx) {
    var q = ctx.queryParams();
    String redirect = q.get("redirect_uri");
    String state = q.get("state");
    String problem =
        !"code".equals(q.get("response_type")) ? "response_type must be code"
            : !CLIENT_ID.equals(q.get("client_id")) ? "unknown client_id"
            : redirect == null ? "redirect_uri missing"
            : state == null || state.length() < 32 ? "state missing or short"
            : !"S256".equals(q.get("code_challenge_method")) ? "PKCE with S256 required"
            : q.get("code_challenge") == null || q.get("code_challenge").length() != 43 ? "code_challenge missing"
            : q.get("scope") == null || !List.of(q.get("scope").split(" ")).contains("openid") ? "scope must contain openid"
            : null;
    if (problem != null) {
      // a provider shows a bad authorization request to the person; it never redirects it
      ctx.response().setStatusCode(400).end("tiny idp: " + problem);
      return;
    }
    String error = refuseWith;
    refuseWith = null;
    if (error != null) {
      redirect(ctx.response(), redirect, Map.of("error", error, "error_description", "The user cancelled the sign-in", "state", state));
      return;
    }
    String challenge = q.get("code_challenge");
    if (mixUpNextChallenge) {
      mixUpNextChallenge = false;
      challenge = s256("someone-else's-verifier-" + UUID.randomUUID());
    }
    String audience = nextAudience != null ? nextAudience : CLIENT_ID;
    nextAudience = null;
    String nonce = nextNonce != null ? nextNonce : q.get("nonce");
    nextNonce = null;
    String code = UUID.randomUUID().toString();
    codes.put(code, new Issued(challenge, redirect, nonce, next, audience));
    redirect(ctx.response(), redirect, Map.of("code", code, "state", state));
  }

  private static void redirect(HttpServerResponse resp, String base, Map<String, String> params) {
    StringBuilder url = new StringBuilder(base).append(base.contains("?") ? '&' : '?');
    params.forEach((k, v) -> url.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
    url.setLength(url.length() - 1);
    resp.setStatusCode(302).putHeader("Location", url.toString()).end();
  }

  private void token(RoutingContext ctx) {
    var form = ctx.request().formAttributes();
    String basic = "Basic " + Base64.getEncoder().encodeToString(
        (CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    if (!basic.equals(ctx.request().getHeader("Authorization"))) {
      refuse(ctx, 401, "invalid_client", "client authentication failed");
      return;
    }
    if (!"authorization_code".equals(form.get("grant_type"))) {
      refuse(ctx, 400, "unsupported_grant_type", "only authorization_code");
      return;
    }
    String code = form.get("code");
    Issued issued = code == null ? null : codes.remove(code);
    if (issued == null) {
      refuse(ctx, 400, "invalid_grant", "unknown or already used code");
      return;
    }
    if (!issued.redirectUri().equals(form.get("redirect_uri"))) {
      refuse(ctx, 400, "invalid_grant", "redirect_uri differs from the authorization request");
      return;
    }
    String verifier = form.get("code_verifier");
    if (verifier == null) {
      refuse(ctx, 400, "invalid_grant", "code_verifier missing (PKCE)");
      return;
    }
    if (!s256(verifier).equals(issued.challenge())) {
      refuse(ctx, 400, "invalid_grant", "PKCE verification failed");
      return;
    }
    Instant now = Instant.now();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", issuer());
    claims.put("aud", List.of(issued.audience()));
    claims.put("azp", CLIENT_ID);
    claims.put("sub", issued.person().id());
    claims.put("iat", now.getEpochSecond());
    claims.put("exp", now.plus(Duration.ofMinutes(30)).getEpochSecond());
    if (issued.nonce() != null) {
      claims.put("nonce", issued.nonce());
    }
    claims.put("roles", issued.person().roles());
    claims.put("teams", issued.person().teams());
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject()
            .put("access_token", "opaque-" + UUID.randomUUID())
            .put("token_type", "Bearer")
            .put("expires_in", 1800)
            .put("id_token", IdentityFixtures.mint(claims, key))
            .encode());
  }

  private void refuse(RoutingContext ctx, int status, String error, String description) {
    tokenRefusals.add(error + ": " + description);
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", error).put("error_description", description).encode());
  }

  static String s256(String verifier) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws Exception {
    IdentityFixtures.await(vertx.close());
  }
}
