package io.airlock.gateway.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.airlock.gateway.audit.AuditTypes;
import io.airlock.gateway.config.SecretValues;

import static io.airlock.gateway.identity.Unauthenticated.shown;

import io.airlock.gateway.identity.SignInRecords.Attempt;
import io.airlock.gateway.identity.SignInRecords.Failed;
import io.airlock.gateway.identity.SignInRecords.Outcome;
import io.airlock.gateway.identity.SignInRecords.SignedIn;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.port.SignInStore;
import io.airlock.policy.port.SignInStore.Kind;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Browser sign-in through the company identity provider: the OpenID Connect authorization-code
 * flow with PKCE (S256), run by the control plane for the UI (a backend for the frontend). The
 * browser never holds the authorization code's verifier, the nonce or a client secret, and never
 * sees a token that did not pass {@link OidcAuthenticator}, the check every API call runs.
 *
 * <ol>
 *   <li>{@code GET /auth/oidc/login}: a fresh {@code state}, PKCE verifier and {@code nonce} are
 *       stored (10 minutes, single use), a browser-binding cookie is set, and the
 *       browser goes to the provider's authorization endpoint.
 *   <li>{@code GET /auth/oidc/callback?code&state}: the state must be one we issued, unused, and
 *       started in this browser (the cookie), which stops login CSRF; the code is exchanged with
 *       the verifier (vertx-auth-oauth2); the ID token must pass {@link OidcAuthenticator} and
 *       carry our nonce. Whatever happened, the browser goes back to the UI with a one-time
 *       hand-off id in the URL fragment ({@code #/sso/<id>}), never with the token.
 *   <li>{@code POST /auth/oidc/session {"handoff": id}}: the UI collects the outcome once, with
 *       the same cookie: the token and who it names, or the problem in words.
 * </ol>
 *
 * <p>Both kinds of record live in the {@link SignInStore}: Redis when nodes share one, so the
 * three steps may land on three different nodes; this node's memory otherwise. When the store
 * does not answer, sign-in stops with that reason (503) and nobody is signed in.
 */
public final class OidcSignIn implements AutoCloseable {
  public static final String LOGIN_PATH = "/auth/oidc/login";
  public static final String CALLBACK_PATH = OidcConfig.SignIn.CALLBACK_PATH;
  public static final String SESSION_PATH = "/auth/oidc/session";
  /** The UI's route that collects a hand-off: {@code <ui>#/sso/<id>}. */
  public static final String UI_HANDOFF_ROUTE = "#/sso/";

  /** The binding cookie over plain-http loopback, where browsers refuse {@code __Host-} cookies. */
  static final String COOKIE = "airlock_sso";
  static final String COOKIE_PATH = "/auth/oidc";
  /**
   * The binding cookie over https: {@code __Host-} makes the browser refuse it unless it was set
   * by this very host, Secure, with Path=/ and no Domain, so a sibling subdomain or a plain-http
   * man in the middle cannot plant one.
   */
  static final String HOST_COOKIE = "__Host-airlock_sso";
  static final Duration ATTEMPT_TTL = Duration.ofMinutes(10);
  /** Short: a successful outcome holds a verified ID token, which the store keeps this long at most. */
  static final Duration HANDOFF_TTL = Duration.ofMinutes(1);
  /**
   * The hand-off id of "the store did not answer": the outcome could not be stored, so the UI is
   * sent this instead and {@link #collect} answers it from nothing. Never a random id's shape.
   */
  static final String STORE_UNAVAILABLE_HANDOFF = "store-unavailable";
  /**
   * The hand-off id of a callback with no live sign-in behind it: anyone can send such callbacks,
   * so they store nothing and all share this id, which {@link #collect} answers from nothing.
   */
  static final String SIGN_IN_UNKNOWN_HANDOFF = "sign-in-unknown";
  /** The hand-off id of a login refused because its address started too many (429). */
  static final String TOO_MANY_SIGN_INS_HANDOFF = "too-many-sign-ins";
  /** The hand-off id of a login refused because the node holds all the sign-ins it may (503). */
  static final String SIGN_INS_FULL_HANDOFF = "sign-ins-full";
  /**
   * Logins one client address may start per minute (on each node). A person needs a few; an
   * office behind one NAT address a few dozen. One address can so hold at most ten times this
   * many sign-ins in progress (10-minute ttl), far below the in-memory store's bound.
   */
  public static final int LOGINS_PER_ADDRESS_PER_MINUTE = 30;
  /** Refused sign-ins recorded per address per minute; the rest are counted, not written. */
  static final int REFUSALS_AUDITED_PER_ADDRESS_PER_MINUTE = 60;
  /** Counters are tiny, but addresses are attacker-chosen (IPv6): bound them. */
  static final long MAX_TRACKED_ADDRESSES = 100_000;
  static final Duration IDP_TIMEOUT = Duration.ofSeconds(10);
  /** After a failed discovery, logins wait this long before asking the provider again. */
  static final Duration DISCOVERY_RETRY = Duration.ofSeconds(10);
  static final int MAX_DISCOVERY_BYTES = 256 * 1024;
  static final int MAX_HANDOFF_BODY_BYTES = 1024;

  private static final Logger log = LoggerFactory.getLogger(OidcSignIn.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final Vertx vertx;
  private final OidcConfig config;
  private final OidcConfig.SignIn signIn;
  private final OidcAuthenticator authenticator;
  private final Clock clock;
  private final BiConsumer<String, Map<String, Object>> audit;
  private final Optional<String> clientSecret;
  private final SignInStore store;
  private final HttpClient discoveryClient;
  private final boolean secureCookie;
  private final String cookieName;
  private final Cache<String, AtomicInteger> loginsByAddress = perAddressPerMinute();
  private final Cache<String, AtomicInteger> refusalsByAddress = perAddressPerMinute();

  // guarded by this
  private Future<OAuth2Auth> provider;
  private Instant lastDiscoveryFailure = Instant.MIN;
  private Instant lastFullWarning = Instant.MIN;

  private OidcSignIn(
      Vertx vertx,
      OidcConfig config,
      OidcAuthenticator authenticator,
      SignInStore store,
      Clock clock,
      BiConsumer<String, Map<String, Object>> audit) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.config = Objects.requireNonNull(config, "config");
    this.signIn = config.signIn().orElseThrow(() -> new IllegalArgumentException("identity.oidc has no sign-in settings"));
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.clientSecret = readClientSecret(signIn);
    this.discoveryClient = vertx.createHttpClient(idpClientOptions());
    this.secureCookie = "https".equalsIgnoreCase(signIn.redirectUri().getScheme());
    this.cookieName = secureCookie ? HOST_COOKIE : COOKIE;
  }

  /**
   * Starts sign-in. With endpoints in the config it is ready at once; otherwise the issuer's
   * discovery document is read now, and again on the next login if the provider cannot be reached
   * (the node starts either way: the API works without browser sign-in).
   *
   * @param store where sign-ins in progress and their outcomes wait: shared by every node that
   *     the load balancer may send a step of the round trip to
   * @param audit records each completed sign-in (type and fields, as the audit log takes them)
   */
  public static OidcSignIn start(
      Vertx vertx,
      OidcConfig config,
      OidcAuthenticator authenticator,
      SignInStore store,
      Clock clock,
      BiConsumer<String, Map<String, Object>> audit) {
    OidcSignIn s = new OidcSignIn(vertx, config, authenticator, store, clock, audit);
    s.provider().onFailure(e -> log.warn(
        "identity: browser sign-in cannot reach the identity provider yet ({}); retried on the next login",
        e.getMessage()));
    return s;
  }

  /** Blocking: start-up only. The binder checked the file or variable; this reads it. */
  private static Optional<String> readClientSecret(OidcConfig.SignIn s) {
    if (s.clientSecret().isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(SecretValues.read(s.clientSecret().get()).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "identity.oidc: client secret (" + s.clientSecret().get().describe() + ") cannot be read", e);
    }
  }

  /**
   * A counter is created on the first event and mutated in place, so this is a fixed one-minute
   * window from that event, not a sliding one that an attacker keeps alive.
   */
  private static Cache<String, AtomicInteger> perAddressPerMinute() {
    return Caffeine.newBuilder()
        .maximumSize(MAX_TRACKED_ADDRESSES)
        .expireAfterWrite(Duration.ofMinutes(1))
        .executor(Runnable::run)
        .build();
  }

  private static HttpClientOptions idpClientOptions() {
    return new HttpClientOptions()
        .setConnectTimeout((int) IDP_TIMEOUT.toMillis())
        .setIdleTimeout((int) IDP_TIMEOUT.toSeconds())
        .setVerifyHost(true);
  }

  /** Mounts the three endpoints; before the UI's static files. */
  public void mount(Router router) {
    router.get(LOGIN_PATH).handler(this::login);
    router.get(CALLBACK_PATH).handler(this::callback);
    router
        .post(SESSION_PATH)
        .handler(BodyHandler.create(false).setBodyLimit(MAX_HANDOFF_BODY_BYTES))
        .handler(this::collect);
  }

  // --- the provider's endpoints ----------------------------------------------------------------

  /** The OAuth2 client, created once the endpoints are known. */
  private synchronized Future<OAuth2Auth> provider() {
    if (provider != null && (!provider.failed() || clock.instant().isBefore(lastDiscoveryFailure.plus(DISCOVERY_RETRY)))) {
      return provider;
    }
    if (signIn.authorizationEndpoint().isPresent()) {
      provider = Future.succeededFuture(oauth2(signIn.authorizationEndpoint().get(), signIn.tokenEndpoint().orElseThrow()));
    } else {
      provider = discover().map(endpoints -> oauth2(endpoints.get(0), endpoints.get(1)))
          .onFailure(e -> {
            synchronized (this) {
              lastDiscoveryFailure = clock.instant();
            }
          });
    }
    return provider;
  }

  private OAuth2Auth oauth2(URI authorization, URI token) {
    OAuth2Options options =
        new OAuth2Options()
            .setClientId(config.audience())
            .setClientSecret(clientSecret.orElse(null))
            .setAuthorizationPath(authorization.toString())
            .setTokenPath(token.toString())
            .setSupportedGrantTypes(List.of(OAuth2FlowType.AUTH_CODE.getGrantType()))
            .setHttpClientOptions(idpClientOptions());
    return OAuth2Auth.create(vertx, options);
  }

  /**
   * The authorization and token endpoints from {@code <issuer>/.well-known/openid-configuration},
   * held to OpenID Connect Discovery: the document names exactly our issuer, and the endpoints
   * are https (http only on loopback); a provider that lists PKCE methods must list S256.
   */
  private Future<List<URI>> discover() {
    URI uri = config.discoveryUri();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(uri.toString())
            .setTimeout(IDP_TIMEOUT.toMillis())
            .putHeader("Accept", "application/json");
    return discoveryClient
        .request(options)
        .compose(req -> req.send())
        .compose(resp -> IdpResponses.body(resp, MAX_DISCOVERY_BYTES, "discovery document"))
        .map(body -> {
          JsonObject doc;
          try {
            doc = new JsonObject(body);
          } catch (DecodeException | ClassCastException e) {
            throw new IllegalStateException("the discovery document at " + uri + " is not a JSON object");
          }
          Object issuer = doc.getValue("issuer");
          if (!config.issuer().equals(issuer)) {
            throw new IllegalStateException("the discovery document at " + uri + " names issuer " + shown(issuer)
                + ", not identity.oidc.issuer " + shown(config.issuer()));
          }
          Object methods = doc.getValue("code_challenge_methods_supported");
          if (methods instanceof JsonArray a && !a.contains("S256")) {
            throw new IllegalStateException("the identity provider does not offer PKCE with S256 (code_challenge_methods_supported: "
                + shown(a.encode()) + ")");
          }
          return List.of(endpoint(doc, "authorization_endpoint", uri), endpoint(doc, "token_endpoint", uri));
        })
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "the identity provider's discovery document " + uri + " could not be used: " + e.getMessage(), e)));
  }

  private static URI endpoint(JsonObject doc, String name, URI from) {
    Object v = doc.getValue(name);
    URI u;
    try {
      u = v instanceof String s ? new URI(s) : null;
    } catch (java.net.URISyntaxException e) {
      u = null;
    }
    String scheme = u == null || u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    boolean loopbackHttp = scheme.equals("http") && u.getHost() != null && isLoopback(u.getHost());
    if (u == null || u.getHost() == null || !(scheme.equals("https") || loopbackHttp)) {
      throw new IllegalStateException(name + " in " + from + " must be an https:// URL (http:// only on loopback), got " + shown(v));
    }
    return u;
  }

  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.equals("[::1]") || h.equals("::1") || h.startsWith("127.");
  }

  // --- 1. login --------------------------------------------------------------------------------

  private void login(RoutingContext ctx) {
    String address = addressOf(ctx);
    AtomicInteger startedHere = loginsByAddress.get(ClientAddresses.limitKey(address), a -> new AtomicInteger());
    int started = startedHere.incrementAndGet();
    if (started > LOGINS_PER_ADDRESS_PER_MINUTE) {
      if (started == LOGINS_PER_ADDRESS_PER_MINUTE + 1) {
        log.warn("identity: {} started more than {} SSO logins this minute; further ones are refused for the rest"
            + " of it", address, LOGINS_PER_ADDRESS_PER_MINUTE);
      }
      redirect(ctx, signIn.uiBase() + UI_HANDOFF_ROUTE + TOO_MANY_SIGN_INS_HANDOFF);
      return;
    }
    provider().onComplete(ar -> {
      if (ar.failed()) {
        startedHere.decrementAndGet();
        finish(ctx, new Failed(null, "idp_unreachable",
            "Sign-in with SSO is not available right now: " + ar.cause().getMessage()));
        return;
      }
      // never one the request brought: a binding an attacker planted would let them finish
      // their own sign-in in this browser (login CSRF)
      String binding = random();
      String state = random();
      String verifier = random();
      String nonce = random();
      stored(Kind.PENDING_SIGN_IN, state, new Attempt(verifier, nonce, digest(binding)).encode(), ATTEMPT_TTL)
          .onFailure(e -> {
            // the limit bounds what an address can make us store; a login that stored nothing
            // must not use it up, or staff pressing "Sign in" through an outage stay locked out
            // for a minute after it ends
            startedHere.decrementAndGet();
            notStored(ctx, e);
          })
          .onSuccess(v -> {
            String url =
                ar.result()
                    .authorizeURL(
                        new OAuth2AuthorizationURL()
                            .setRedirectUri(signIn.redirectUri().toString())
                            .setScopes(signIn.scopes())
                            .setState(state)
                            .setCodeChallenge(challenge(verifier))
                            .setCodeChallengeMethod("S256")
                            .putAdditionalParameter("nonce", nonce));
            ctx.response().addCookie(bindingCookie(binding, ATTEMPT_TTL));
            redirect(ctx, url);
          });
    });
  }

  /** The browser's binding, when it sent a well-formed one: only ever compared, never adopted. */
  private String browserOf(RoutingContext ctx) {
    Cookie c = ctx.request().getCookie(cookieName);
    String v = c == null ? null : c.getValue();
    return isRandomId(v) ? v : null;
  }

  /** The shape of {@link #random()}: anything else is not ours and never reaches the store. */
  private static boolean isRandomId(String v) {
    return v != null && v.length() == 43 && v.matches("[A-Za-z0-9_-]+");
  }

  private Cookie bindingCookie(String value, Duration maxAge) {
    // Lax, not Strict: the provider's redirect back is a cross-site navigation, and a Strict
    // cookie would not come with it
    return Cookie.cookie(cookieName, value)
        .setPath(secureCookie ? "/" : COOKIE_PATH)
        .setHttpOnly(true)
        .setSecure(secureCookie)
        .setSameSite(CookieSameSite.LAX)
        .setMaxAge(maxAge.toSeconds());
  }

  // --- 2. callback -----------------------------------------------------------------------------

  private void callback(RoutingContext ctx) {
    String browser = browserOf(ctx);
    String state = ctx.request().getParam("state");
    if (!isRandomId(state)) {
      unknownSignIn(ctx, state);
      return;
    }
    local(store.take(Kind.PENDING_SIGN_IN, state))
        .onFailure(e -> notStored(ctx, e))
        .onSuccess(taken -> {
          Attempt attempt = taken.flatMap(Attempt::decode).orElse(null);
          if (attempt == null) {
            unknownSignIn(ctx, state);
          } else {
            callback(ctx, browser, attempt);
          }
        });
  }

  private void unknownSignIn(RoutingContext ctx, String state) {
    // anyone can send this as often as they like: it stores nothing
    log.info("identity: a sign-in callback from {} named no sign-in in progress ({})", addressOf(ctx),
        state == null ? "no state" : "unknown, expired or used state");
    redirect(ctx, signIn.uiBase() + UI_HANDOFF_ROUTE + SIGN_IN_UNKNOWN_HANDOFF);
  }

  private static void unknownSignIn(RoutingContext ctx) {
    ErrorBodies.send(ctx, 401, "sign_in_unknown",
        "This sign-in is unknown, expired or was already used (or the identity provider's answer carried no state)."
            + " Start again with Sign in with SSO.");
  }

  /** The rest of the callback, once its attempt has been taken from the store (and is gone). */
  private void callback(RoutingContext ctx, String browser, Attempt attempt) {
    if (browser == null || !same(digest(browser), attempt.browser())) {
      // someone else's sign-in arriving in this browser: signing in as them is login CSRF
      refused(ctx, new Failed(null, "sign_in_other_browser",
          "This sign-in was started in another browser, or this browser dropped its sign-in cookie."
              + " Start again with Sign in with SSO."), null);
      return;
    }
    String error = ctx.request().getParam("error");
    if (error != null) {
      String description = ctx.request().getParam("error_description");
      refused(ctx, new Failed(attempt.browser(), "idp_refused",
          "The identity provider did not sign you in: " + shown(error)
              + (description == null ? "" : " (" + shown(description) + ")")), null);
      return;
    }
    String code = ctx.request().getParam("code");
    if (code == null || code.isEmpty()) {
      refused(ctx, new Failed(attempt.browser(), "idp_refused",
          "The identity provider came back without an authorization code."), null);
      return;
    }
    provider()
        .compose(oauth2 -> oauth2.authenticate(
                new Oauth2Credentials()
                    .setFlow(OAuth2FlowType.AUTH_CODE)
                    .setCode(code)
                    .setRedirectUri(signIn.redirectUri().toString())
                    .setCodeVerifier(attempt.verifier()))
            .timeout(IDP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .recover(e -> Future.failedFuture(new SignInFailure("token_exchange_failed",
                "The identity provider's token endpoint refused the authorization code: " + shown(e.getMessage())))))
        .compose(user -> {
          Object idToken = user.principal().getValue("id_token");
          if (!(idToken instanceof String t) || t.isEmpty()) {
            return Future.failedFuture(new SignInFailure("id_token_missing",
                "The identity provider returned no ID token (is openid among identity.oidc.scopes?)."));
          }
          return verified(t, attempt.nonce(), attempt.browser());
        })
        .onSuccess(done -> finish(ctx, done).onSuccess(v -> {
          // on the record once the browser can collect it: a sign-in whose outcome could not be
          // stored signed nobody in
          Map<String, Object> fields = new LinkedHashMap<>();
          fields.put("actor", done.user());
          fields.put("via", "oidc");
          fields.put("roles", done.roles());
          fields.put("teams", done.teams());
          fields.put("expiresAt", done.expiresAt().toString());
          audit.accept(AuditTypes.LOGIN, fields);
        }))
        .onFailure(e -> {
          if (e instanceof SignInFailure s) {
            refused(ctx, new Failed(attempt.browser(), s.error, s.getMessage()), s.user);
          } else {
            refused(ctx, new Failed(attempt.browser(), "sign_in_failed", "Sign-in failed: " + shown(e.getMessage())), null);
          }
        });
  }

  /**
   * A sign-in in progress that ended without signing anyone in: told to its browser, and on the
   * record (a nonce mismatch, say, is a sign of token injection), rate-limited per address so a
   * flood cannot fill the audit log. Never the code or a token: the error, the address and,
   * when a verified token named them, the user.
   */
  private void refused(RoutingContext ctx, Failed f, String user) {
    finish(ctx, f);
    String address = addressOf(ctx);
    int n = refusalsByAddress.get(ClientAddresses.limitKey(address), a -> new AtomicInteger()).incrementAndGet();
    if (n > REFUSALS_AUDITED_PER_ADDRESS_PER_MINUTE) {
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("via", "oidc");
    fields.put("error", f.error());
    fields.put("remote", address);
    fields.put("user", user);
    if (VERIFIED_ERRORS.contains(f.error())) {
      // our own words; the provider's (idp_refused, token_exchange_failed) may echo what it was sent
      fields.put("message", f.message());
    }
    if (n == REFUSALS_AUDITED_PER_ADDRESS_PER_MINUTE) {
      fields.put("note", "further refused sign-ins from " + address + " are not recorded for the rest of this minute");
    }
    audit.accept(AuditTypes.LOGIN_REFUSED, fields);
  }

  private static final Set<String> VERIFIED_ERRORS = Set.of("id_token_invalid", "no_role", "sign_in_other_browser");

  private static String addressOf(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
  }

  /** A sign-in that went wrong in a way the user is told about. */
  private static final class SignInFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String error;
    /** Whom a verified ID token named, when it got that far. */
    final String user;

    SignInFailure(String error, String message) {
      this(error, message, null);
    }

    SignInFailure(String error, String message, String user) {
      super(message, null, false, false);
      this.error = error;
      this.user = user;
    }
  }

  /** The same check as every API call, then the nonce that ties the token to this sign-in. */
  private Future<SignedIn> verified(String idToken, String nonce, String browser) {
    return authenticator
        .authenticate(idToken)
        .recover(e -> Future.failedFuture(new SignInFailure("id_token_invalid",
            "The identity provider's ID token was refused: "
                + (e instanceof Unauthenticated ? e.getMessage() : "it could not be verified"))))
        .compose(staff -> {
          Map<String, Object> claims =
              CompactToken.parse(idToken, OidcAuthenticator.MAX_TOKEN_CHARS, "ID token", config.algorithms()).claimsJson();
          if (!(claims.get("nonce") instanceof String n) || !same(n, nonce)) {
            return Future.failedFuture(new SignInFailure("id_token_invalid",
                "The identity provider's ID token was refused: its nonce is not this sign-in's"
                    + " (a token issued for another sign-in)", staff.id()));
          }
          if (staff.roles().isEmpty()) {
            return Future.failedFuture(new SignInFailure("no_role",
                "You are signed in at the identity provider as " + staff.id() + ", but its claim "
                    + shown(config.rolesClaim()) + " gives you none of the roles agent, manager or security.", staff.id()));
          }
          Instant exp = Instant.ofEpochSecond(((Number) claims.get("exp")).longValue());
          return Future.succeededFuture(new SignedIn(browser, idToken, staff.id(), roles(staff),
              staff.teams().stream().sorted().toList(), exp));
        });
  }

  /**
   * Every callback ends in the UI, holding a one-time id for its outcome, never the outcome.
   * Succeeds once the outcome is stored; when it cannot be, the UI is told that instead.
   */
  private Future<Void> finish(RoutingContext ctx, Outcome outcome) {
    if (outcome instanceof Failed f) {
      // the provider's words (idp_refused, token_exchange_failed) may echo the code it was sent:
      // they reach only the browser that started this sign-in, never the log
      log.info("identity: browser sign-in failed: {}{}", f.error(),
          VERIFIED_ERRORS.contains(f.error()) ? ": " + f.message() : " (the provider's text is shown to that browser only)");
    }
    String id = random();
    return stored(Kind.HANDOFF, id, outcome.encode(), HANDOFF_TTL)
        .onFailure(e -> notStored(ctx, e))
        .onSuccess(v -> redirect(ctx, signIn.uiBase() + UI_HANDOFF_ROUTE + id));
  }

  /**
   * Fail closed: without the store there is no sign-in. The browser goes back to the UI with the
   * reserved hand-off id, which {@link #collect} answers with the reason; the record itself, and
   * whatever it held, is never logged.
   */
  private void notStored(RoutingContext ctx, Throwable e) {
    // a store's answer may come wrapped by the stage that carried it
    if (e instanceof SignInStore.Full || e instanceof CompletionException && e.getCause() instanceof SignInStore.Full) {
      Instant now = clock.instant();
      synchronized (this) {
        // a flood would repeat this thousands of times a second
        if (now.isAfter(lastFullWarning.plus(Duration.ofMinutes(1)))) {
          lastFullWarning = now;
          log.warn("identity: browser sign-ins refused until some finish or expire (a flood of logins?): {}",
              (e.getCause() instanceof SignInStore.Full ? e.getCause() : e).getMessage());
        }
      }
      redirect(ctx, signIn.uiBase() + UI_HANDOFF_ROUTE + SIGN_INS_FULL_HANDOFF);
      return;
    }
    log.warn("identity: browser sign-in stopped: its state cannot be stored ({})", e.toString());
    redirect(ctx, signIn.uiBase() + UI_HANDOFF_ROUTE + STORE_UNAVAILABLE_HANDOFF);
  }

  private static void storeUnavailable(RoutingContext ctx) {
    ErrorBodies.send(ctx, 503, "sign_in_store_unavailable",
        "Sign-in with SSO could not be completed: the sign-in state cannot be stored (the shared store does not"
            + " answer). Nobody was signed in. Try again in a moment; if it goes on, tell whoever runs Airlock.");
  }

  /** A new record; a random id that is somehow taken already is a failure, never an overwrite. */
  private Future<Void> stored(Kind kind, String id, String value, Duration ttl) {
    return local(store.putNew(kind, id, value, ttl)).compose(fresh -> fresh
        ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("a sign-in record with this random id exists already")));
  }

  /** The store's answer, continued on this request's Vert.x context (stores answer on their own threads). */
  private <T> Future<T> local(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response()
        .setStatusCode(302)
        .putHeader("Location", location)
        .putHeader("Cache-Control", "no-store")
        // the callback's URL holds the code and state: never pass it on as a Referer
        .putHeader("Referrer-Policy", "no-referrer")
        .end();
  }

  // --- 3. the UI collects the outcome ----------------------------------------------------------

  private void collect(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      // a cross-site form cannot send JSON without a preflight the control plane never grants
      ErrorBodies.send(ctx, 415, "unsupported_media_type", "send the body as application/json");
      return;
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    Object id = body == null ? null : body.getValue("handoff");
    if (!(id instanceof String handoff) || body.size() != 1) {
      ErrorBodies.send(ctx, 400, "bad_request", "body must be a JSON object {\"handoff\": \"<id from #/sso/>\"}");
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    // the reserved ids: answered from nothing, the store is not asked
    switch (handoff) {
      case STORE_UNAVAILABLE_HANDOFF -> {
        storeUnavailable(ctx);
        return;
      }
      case SIGN_IN_UNKNOWN_HANDOFF -> {
        unknownSignIn(ctx);
        return;
      }
      case TOO_MANY_SIGN_INS_HANDOFF -> {
        ErrorBodies.send(ctx, 429, "too_many_sign_ins",
            "Too many sign-ins were started from your network address in the last minute. Wait a minute, then"
                + " sign in with SSO again.");
        return;
      }
      case SIGN_INS_FULL_HANDOFF -> {
        ErrorBodies.send(ctx, 503, "sign_ins_full",
            "Airlock holds as many sign-ins in progress as it may (many were started recently, possibly a flood)."
                + " Nobody was signed in. Try again in a few minutes; if it goes on, tell whoever runs Airlock.");
        return;
      }
      default -> { }
    }
    if (!isRandomId(handoff)) {
      unknownHandoff(ctx);
      return;
    }
    String browser = browserOf(ctx);
    local(store.peek(Kind.HANDOFF, handoff))
        .compose(peeked -> {
          Outcome outcome = peeked.flatMap(Outcome::decode).orElse(null);
          if (outcome != null && outcome.browser() != null && (browser == null || !same(digest(browser), outcome.browser()))) {
            // checked before it is taken: someone else holding the id cannot spoil it for its owner
            ErrorBodies.send(ctx, 401, "sign_in_other_browser",
                "This sign-in result belongs to another browser. Start again with Sign in with SSO.");
            return Future.succeededFuture();
          }
          if (outcome == null) {
            unknownHandoff(ctx);
            return Future.succeededFuture();
          }
          // of two collections racing (on this node or another), only one takes it
          return local(store.take(Kind.HANDOFF, handoff)).map(taken -> {
            if (taken.isPresent() && taken.equals(peeked)) {
              collected(ctx, outcome);
            } else {
              unknownHandoff(ctx);
            }
            return null;
          });
        })
        .onFailure(e -> {
          log.warn("identity: a sign-in result could not be collected: the store did not answer ({})", e.toString());
          storeUnavailable(ctx);
        });
  }

  private static void unknownHandoff(RoutingContext ctx) {
    ErrorBodies.send(ctx, 401, "handoff_unknown",
        "This sign-in result is unknown, expired or was already collected. Start again with Sign in with SSO.");
  }

  private void collected(RoutingContext ctx, Outcome outcome) {
    if (outcome instanceof Failed f) {
      ErrorBodies.send(ctx, 401, f.error(), f.message());
      return;
    }
    SignedIn s = (SignedIn) outcome;
    // the binding has done its job; a later sign-in gets a fresh one
    ctx.response().addCookie(bindingCookie("", Duration.ZERO));
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject()
            .put("token", s.token())
            .put("user", s.user())
            .put("roles", new JsonArray(s.roles()))
            .put("teams", new JsonArray(s.teams()))
            .put("expiresAt", s.expiresAt().toString())
            .encode());
  }

  private static List<String> roles(Staff staff) {
    return staff.roles().stream().map(Role::code).sorted().toList();
  }

  // --- small pieces ----------------------------------------------------------------------------

  /** 256 random bits, base64url: states, verifiers (RFC 7636: 43 characters), nonces, ids. */
  static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return B64URL.encodeToString(b);
  }

  /** RFC 7636 S256: base64url(SHA-256(ASCII(verifier))). */
  static String challenge(String verifier) {
    return sha256(verifier);
  }

  /** What the store keeps of a browser binding: enough to recognise the cookie, not to forge it. */
  static String digest(String binding) {
    return sha256(binding);
  }

  private static String sha256(String ascii) {
    try {
      return B64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(ascii.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    discoveryClient.close();
    Future<OAuth2Auth> p;
    synchronized (this) {
      p = provider;
    }
    if (p != null && p.succeeded()) {
      p.result().close();
    }
  }
}
