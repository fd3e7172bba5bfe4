package io.airlock.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.CookieManager;
import java.net.CookieStore;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A browser without a screen for SSO sign-in tests: follows no redirect by itself, so each step of
 * the round trip can be looked at (or forged), and keeps its own cookies, so two jars are two
 * browsers.
 */
public final class SsoJar {
  public final HttpClient http;
  private final String controlPlane;
  /** Where hand-off redirects send the browser: the UI of the configured redirect URI. */
  private final String ui;
  private final TinyIdp idp;

  /** @param controlPlane the control plane's base URL, ending in {@code /} */
  public SsoJar(String controlPlane, TinyIdp idp) {
    this(HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build(),
        controlPlane, controlPlane, idp);
  }

  private SsoJar(HttpClient http, String controlPlane, String ui, TinyIdp idp) {
    this.http = http;
    this.controlPlane = controlPlane;
    this.ui = ui;
    this.idp = idp;
  }

  /**
   * The same browser (same cookies) talking to another node: what a load balancer without
   * affinity does to it. Hand-off redirects are still expected to name this jar's UI.
   */
  public SsoJar sameBrowserAt(String otherControlPlane) {
    return new SsoJar(http, otherControlPlane, ui, idp);
  }

  public static String param(URI uri, String name) {
    List<String> v = new QueryStringDecoder(uri).parameters().get(name);
    return v == null ? null : v.get(0);
  }

  /** GET that must redirect; returns where to. */
  public URI redirectFrom(URI uri) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(uri + " answered " + r.body()).isEqualTo(302);
    return URI.create(r.headers().firstValue("Location").orElseThrow());
  }

  /** Starts a sign-in; returns where the control plane sends the browser. */
  public URI login() throws Exception {
    return redirectFrom(URI.create(controlPlane + "auth/oidc/login"));
  }

  /**
   * Starts a sign-in from another local address (127.0.0.x): the control plane counts logins per
   * client address. The cookies it sets land in this jar, as a browser on that address keeps them.
   */
  public URI loginFrom(Vertx vertx, String localAddress) throws Exception {
    io.vertx.core.http.HttpClient client = vertx.createHttpClient(new HttpClientOptions().setLocalAddress(localAddress));
    try {
      HttpClientResponse r = client.request(new RequestOptions().setMethod(HttpMethod.GET)
              .setAbsoluteURI(controlPlane + "auth/oidc/login").setFollowRedirects(false))
          .compose(req -> req.send())
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(302);
      URI base = URI.create(controlPlane);
      for (String header : r.cookies()) {
        for (HttpCookie c : HttpCookie.parse(header)) {
          cookies().add(base, c);
        }
      }
      return URI.create(r.getHeader("Location"));
    } finally {
      client.close();
    }
  }

  /** The value of this browser's cookie {@code name}, or null. */
  public String cookie(String name) {
    return cookies().getCookies().stream().filter(c -> c.getName().equals(name)).map(HttpCookie::getValue)
        .findFirst().orElse(null);
  }

  /** A cookie someone else put into this browser (a sibling subdomain, a man in the middle). */
  public void plant(String name, String value, String path) {
    HttpCookie c = new HttpCookie(name, value);
    c.setPath(path);
    c.setVersion(0);
    cookies().add(URI.create(controlPlane), c);
  }

  private CookieStore cookies() {
    return ((CookieManager) http.cookieHandler().orElseThrow()).getCookieStore();
  }

  /** Up to the provider's redirect back: the callback URL with code and state. */
  public URI toCallback() throws Exception {
    URI authorize = login();
    assertThat(authorize.toString()).startsWith(idp.issuer() + "/authorize?");
    return redirectFrom(authorize);
  }

  /** The callback; returns the hand-off id the UI would find in its URL fragment. */
  public String handoff(URI callback) throws Exception {
    return handoffIn(redirectFrom(callback));
  }

  /** The hand-off id in a redirect to the UI, which must carry nothing else. */
  public String handoffIn(URI to) {
    assertThat(to.toString()).startsWith(ui + "#/sso/");
    assertThat(to.getFragment()).as("no token in the URL").hasSizeLessThan(64);
    assertThat(to.getRawQuery()).isNull();
    return to.getFragment().substring("/sso/".length());
  }

  /** POST /auth/oidc/session as the UI does; the answer must have {@code expectedStatus}. */
  public JsonObject collect(String handoff, int expectedStatus) throws Exception {
    HttpResponse<String> r = collect(handoff);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
    return new JsonObject(r.body());
  }

  /** POST /auth/oidc/session as the UI does, whatever the answer. */
  public HttpResponse<String> collect(String handoff) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(controlPlane + "auth/oidc/session"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("handoff", handoff).encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** An API call with a staff token. */
  public HttpResponse<String> api(String token, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(controlPlane + path.substring(1)))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
