package io.airlock.gateway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.identity.SsoJar;
import io.airlock.gateway.identity.TinyIdp;
import io.airlock.gateway.testing.Poll;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Sign-in with SSO: a demo node in OIDC mode against a tiny identity provider on loopback that
 * checks PKCE as a real one does. In the browser, the whole round trip; over plain HTTP (a
 * client with its own cookie jar per "browser"), the attacks the flow must refuse.
 */
class SsoSignInTest {
  @TempDir static Path dir;
  static TinyIdp idp;
  static DemoNode node;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    idp = new TinyIdp();
    node = DemoNode.startOidc(dir, idp);
    browser = new Browser();
  }

  @AfterAll
  static void stop() throws Exception {
    try (TinyIdp i = idp; DemoNode n = node; Browser b = browser) {
      // closed in reverse order: browser, node, provider
    }
  }

  @RegisterExtension
  final TestWatcher failureShots =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (browser != null) {
            browser.screenshot("FAILED-" + context.getRequiredTestMethod().getName());
          }
        }
      };

  @BeforeEach
  void reset() {
    browser.closeTabs();
    idp.signInAs("alice", List.of("agent"), List.of("payments"));
  }

  private WebElement ssoButton() {
    browser.newTab(node.ui);
    return browser.awaitClickable("#sso-sign-in");
  }

  // --- in the browser ------------------------------------------------------------------------

  @Test
  void signInWithSsoLandsSignedInAsTheProvidersUserWithTheirRole() {
    idp.signInAs("maria", List.of("manager"), List.of("payments"));
    WebElement sso = ssoButton();
    assertThat(browser.driver.findElements(By.cssSelector(".user-choice"))).as("no demo users in OIDC mode").isEmpty();
    browser.screenshot("09-sso-sign-in");
    sso.click();

    WebElement who = browser.until(ExpectedConditions.visibilityOfElementLocated(By.id("current-user")));
    browser.until(ExpectedConditions.textToBePresentInElement(who, "maria"));
    assertThat(who.getText()).contains("maria").contains("manager").contains("payments");
    // the token worked against the API: the manager's queue loaded instead of an error
    browser.await("#queue[aria-busy='false']");
    assertThat(browser.driver.findElements(By.cssSelector("#queue .state.error"))).isEmpty();
    // and nothing of the sign-in stayed in the address bar
    assertThat(browser.driver.getCurrentUrl()).endsWith("#/approvals").doesNotContain("sso").doesNotContain("code=");
    browser.screenshot("10-sso-signed-in-manager");
  }

  @Test
  void aRefusalAtTheProviderEndsOnTheSignInScreenNamingIt() {
    idp.refuseNextSignIn("access_denied");
    ssoButton().click();
    WebElement error = browser.await("#sso-error");
    assertThat(error.getText())
        .contains("Could not sign in with SSO")
        .contains("did not sign you in")
        .contains("access_denied")
        .contains("idp_refused");
    assertThat(browser.driver.findElements(By.id("current-user"))).isEmpty();
    assertThat(browser.find("#sso-sign-in").isDisplayed()).as("can start again").isTrue();
    browser.screenshot("11-sso-refused");
  }

  @Test
  void aCodeTheVerifierDoesNotMatchIsRefusedByTheProviderAndTheUiSaysSo() {
    idp.mixUpNextChallenge();
    ssoButton().click();
    WebElement error = browser.await("#sso-error");
    assertThat(error.getText()).contains("token endpoint refused").contains("PKCE verification failed");
    assertThat(idp.tokenRefusals).last().asString().contains("PKCE verification failed");
    assertThat(browser.driver.findElements(By.id("current-user"))).isEmpty();
  }

  // --- over HTTP, one cookie jar per browser ---------------------------------------------------

  private static SsoJar jar() {
    return new SsoJar(node.ui, idp);
  }

  private static String param(URI uri, String name) {
    return SsoJar.param(uri, name);
  }

  @Test
  void theHandOffIsCollectedOnceAndOnlyByTheBrowserThatSignedIn() throws Exception {
    idp.signInAs("sam", List.of("security"), List.of());
    SsoJar mine = jar();
    String handoff = mine.handoff(mine.toCallback());

    JsonObject other = jar().collect(handoff, 401);
    assertThat(other.getString("error")).isEqualTo("sign_in_other_browser");

    JsonObject session = mine.collect(handoff, 200);
    assertThat(session.getString("user")).isEqualTo("sam");
    assertThat(session.getJsonArray("roles").getList()).containsExactly("security");
    String token = session.getString("token");
    assertThat(mine.api(token, "/api/requests").statusCode()).isEqualTo(200);

    assertThat(mine.collect(handoff, 401).getString("error")).isEqualTo("handoff_unknown");
    // the sign-in is on the record, and the token is good enough for security's own API
    HttpResponse<String> audit = mine.api(token, "/api/audit?agent=sam");
    assertThat(audit.statusCode()).isEqualTo(200);
    assertThat(new io.vertx.core.json.JsonArray(audit.body()).stream()
            .map(JsonObject.class::cast)
            .filter(r -> "login".equals(r.getString("type"))))
        .anySatisfy(r -> assertThat(r.getString("via")).isEqualTo("oidc"));
  }

  @Test
  void aReplayedStateIsRefused() throws Exception {
    SsoJar jar = jar();
    URI callback = jar.toCallback();
    assertThat(jar.collect(jar.handoff(callback), 200).getString("user")).isEqualTo("alice");

    JsonObject replay = jar.collect(jar.handoff(callback), 401);
    assertThat(replay.getString("error")).isEqualTo("sign_in_unknown");
    assertThat(replay.getString("message")).contains("already used").doesNotContain(param(callback, "state"));
    assertThat(replay.containsKey("token")).isFalse();
  }

  @Test
  void aSignInStartedInAnotherBrowserIsRefused() throws Exception {
    // login CSRF: the attacker's own finished sign-in, delivered to the victim's browser
    URI attackersCallback = jar().toCallback();
    SsoJar victim = jar();
    JsonObject r = victim.collect(victim.handoff(attackersCallback), 401);
    assertThat(r.getString("error")).isEqualTo("sign_in_other_browser");
    assertThat(r.containsKey("token")).isFalse();
  }

  @Test
  void aBindingCookiePlantedInTheVictimsBrowserDoesNotLetTheAttackerSignThemIn() throws Exception {
    // the attacker can set cookies for the victim (a sibling subdomain, or plain http on the way)
    SsoJar attacker = jar();
    attacker.login();
    String planted = attacker.cookie("airlock_sso");
    SsoJar victim = jar();
    victim.plant("airlock_sso", planted, "/auth/oidc");
    // the attacker's own sign-in, started with the same cookie, stopped before the callback
    URI authorize = attacker.login();
    assertThat(attacker.cookie("airlock_sso")).as("a fresh binding, not the one sent").isNotEqualTo(planted);
    URI attackersCallback = attacker.redirectFrom(authorize);

    JsonObject r = victim.collect(victim.handoff(attackersCallback), 401);
    assertThat(r.getString("error")).isEqualTo("sign_in_other_browser");
    assertThat(r.containsKey("token")).isFalse();
  }

  @Test
  void aCodeInjectedIntoAnotherSignInFailsPkceAtTheProvider() throws Exception {
    // the code of victim's sign-in, intercepted before it reached the gateway
    URI stolen = jar().toCallback();
    SsoJar attacker = jar();
    URI authorize = attacker.login();
    URI forged = URI.create(node.ui + "auth/oidc/callback?code=" + param(stolen, "code") + "&state=" + param(authorize, "state"));

    JsonObject r = attacker.collect(attacker.handoff(forged), 401);
    assertThat(r.getString("error")).isEqualTo("token_exchange_failed");
    assertThat(r.getString("message")).contains("PKCE verification failed");
    assertThat(idp.tokenRefusals).last().asString().contains("PKCE verification failed");
  }

  @Test
  void anIdTokenForAnotherAudienceIsRefused() throws Exception {
    idp.nextTokenAudience("some-other-app");
    SsoJar jar = jar();
    JsonObject r = jar.collect(jar.handoff(jar.toCallback()), 401);
    assertThat(r.getString("error")).isEqualTo("id_token_invalid");
    assertThat(r.getString("message")).contains("aud must contain 'airlock'").contains("some-other-app");
    assertThat(r.containsKey("token")).isFalse();
  }

  @Test
  void anIdTokenIssuedForAnotherSignInIsRefusedByItsNonce() throws Exception {
    idp.nextTokenNonce("the-nonce-of-someone-elses-sign-in");
    SsoJar jar = jar();
    JsonObject r = jar.collect(jar.handoff(jar.toCallback()), 401);
    assertThat(r.getString("error")).isEqualTo("id_token_invalid");
    assertThat(r.getString("message")).contains("nonce is not this sign-in's");

    // a sign of token injection: on the record for security, without the token
    idp.signInAs("sam", List.of("security"), List.of());
    SsoJar security = jar();
    String token = security.collect(security.handoff(security.toCallback()), 200).getString("token");
    JsonObject refused = awaitAudit(security, token, "login.refused", rec -> "alice".equals(rec.getString("user")));
    assertThat(refused.getString("error")).isEqualTo("id_token_invalid");
    assertThat(refused.getString("message")).contains("nonce is not this sign-in's");
    assertThat(refused.getString("remote")).isEqualTo("127.0.0.1");
    assertThat(refused.encode()).doesNotContain("eyJ");
  }

  /** The newest audit record of {@code type} that {@code which} accepts, polled until it is there. */
  private static JsonObject awaitAudit(SsoJar jar, String token, String type,
      java.util.function.Predicate<JsonObject> which) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      HttpResponse<String> r = jar.api(token, "/api/audit?type=" + type);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      java.util.Optional<JsonObject> found = new io.vertx.core.json.JsonArray(r.body()).stream()
          .map(JsonObject.class::cast).filter(which).findFirst();
      if (found.isPresent() || System.nanoTime() > deadline) {
        return found.orElseThrow(() -> new AssertionError("no " + type + " record in " + r.body()));
      }
      Poll.step();
    }
  }

  @Test
  void someoneWithoutAnAirlockRoleIsToldSoAndNotSignedIn() throws Exception {
    idp.signInAs("dave", List.of("offline_access"), List.of("payments"));
    SsoJar jar = jar();
    JsonObject r = jar.collect(jar.handoff(jar.toCallback()), 401);
    assertThat(r.getString("error")).isEqualTo("no_role");
    assertThat(r.getString("message")).contains("dave").contains("none of the roles agent, manager or security");
  }

  @Test
  void theProviderRefusesATokenRequestWithoutTheVerifier() throws Exception {
    // what makes the positive path above proof that the gateway sends the right verifier
    SsoJar jar = jar();
    URI callback = jar.toCallback();
    HttpResponse<String> r = jar.http.send(
        HttpRequest.newBuilder(URI.create(idp.issuer() + "/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                (TinyIdp.CLIENT_ID + ":" + TinyIdp.CLIENT_SECRET).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + param(callback, "code")
                + "&redirect_uri=" + java.net.URLEncoder.encode(node.ui + "auth/oidc/callback", java.nio.charset.StandardCharsets.UTF_8)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("code_verifier missing");
  }

  @Test
  void theUiIsToldSsoIsAvailable() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(node.ui + "api/config")).build(), HttpResponse.BodyHandlers.ofString());
    JsonObject c = new JsonObject(r.body());
    assertThat(c.getString("identityMode")).isEqualTo("oidc");
    assertThat(c.getBoolean("ssoSignIn")).isTrue();
  }
}
