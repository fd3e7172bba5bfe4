package io.airlock.gateway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.identity.OidcSignIn;
import io.airlock.gateway.identity.SsoJar;
import io.airlock.gateway.identity.TinyIdp;
import io.airlock.gateway.testing.Poll;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.AuditConfig;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.config.ListenerConfig;
import io.airlock.policy.config.NodeConfig;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.config.SecretSource;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/**
 * Browser sign-in behind a load balancer without session affinity: two nodes on one Redis, and
 * each step of the round trip on whichever node the test picks. The redirect URI (and so the UI
 * the browser returns to) is node A's, as it would be the balancer's; delivering a request to B
 * is what the balancer would do. And with the store gone, sign-in stops and says why.
 */
class SsoAcrossNodesTest {
  @TempDir Path dir;
  static TinyIdp idp;
  private final List<AutoCloseable> open = new ArrayList<>();
  private String prefix;

  @BeforeAll
  static void provider() throws Exception {
    idp = new TinyIdp();
  }

  @AfterAll
  static void stopProvider() throws Exception {
    idp.close();
  }

  @BeforeEach
  void reset() {
    idp.signInAs("alice", List.of("agent"), List.of("payments"));
    prefix = RedisSupport.uniquePrefix();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    RedisSupport.deleteKeys(RedisSupport.uri(), prefix);
  }

  /** A node in OIDC mode with browser sign-in, its redirect URI on {@code redirectPort}. */
  private AirlockNode node(String id, int controlPort, int redirectPort, String redisUri) throws Exception {
    Path secret = dir.resolve("idp-client.secret");
    if (!Files.exists(secret)) {
      Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(secret, TinyIdp.CLIENT_SECRET);
    }
    OidcConfig oidc =
        new OidcConfig(idp.issuer(), TinyIdp.CLIENT_ID, idp.jwksUri(), List.of("ES256"), "sub", "roles", "teams",
            Duration.ofMinutes(10),
            Optional.of(new OidcConfig.SignIn(URI.create("http://127.0.0.1:" + redirectPort + "/auth/oidc/callback"),
                Optional.empty(), Optional.empty(), Optional.of(new SecretSource.FromFile(secret)),
                OidcConfig.SignIn.DEFAULT_SCOPES)));
    AirlockConfig base = TestConfigs.config(dir, URI.create("http://127.0.0.1:9"));
    // outside demo mode a node refuses secret files others may read
    Files.setPosixFilePermissions(dir.resolve(TestConfigs.KID + ".jwk.json"), PosixFilePermissions.fromString("rw-------"));
    AirlockConfig config = base
        .withNode(new NodeConfig(id))
        .withAudit(new AuditConfig(dir.resolve("audit-" + id), AuditConfig.Durability.SYNC, 512, 65_536, 100_000))
        .withRedis(Optional.of(RedisConfig.of(redisUri).withKeyPrefix(prefix)))
        .withIdentity(new IdentityConfig(IdentityConfig.Mode.OIDC, Optional.of(oidc)))
        .withListeners(base.dataPlane(), new ListenerConfig("127.0.0.1", controlPort), base.routes());
    AirlockNode node = AirlockNode.start(config, Clock.systemUTC());
    open.add(node);
    return node;
  }

  private static String base(int port) {
    return "http://127.0.0.1:" + port + "/";
  }

  /** The same request, sent to the other node. */
  private static URI at(URI uri, int port) {
    return URI.create(uri.toString().replaceFirst("^http://127\\.0\\.0\\.1:\\d+/", base(port)));
  }

  @Test
  void loginOnOneNodeCallbackOnTheOtherCollectedOnTheFirstSignsIn() throws Exception {
    int portA = freePort();
    int portB = freePort();
    node("node-a", portA, portA, RedisSupport.uri());
    node("node-b", portB, portA, RedisSupport.uri());
    SsoJar onA = new SsoJar(base(portA), idp);
    SsoJar onB = onA.sameBrowserAt(base(portB));

    URI callback = onA.toCallback();
    assertThat(callback.getPort()).as("the provider sends the browser to the balancer's address").isEqualTo(portA);
    String handoff = onA.handoffIn(onB.redirectFrom(at(callback, portB)));
    JsonObject session = onA.collect(handoff, 200);
    assertThat(session.getString("user")).isEqualTo("alice");
    assertThat(session.getJsonArray("roles").getList()).containsExactly("agent");
    String token = session.getString("token");
    assertThat(onA.api(token, "/api/requests").statusCode()).isEqualTo(200);
    assertThat(onB.api(token, "/api/requests").statusCode()).isEqualTo(200);

    // the hand-off is gone for every node, and the state too, whichever node the replay reaches
    assertThat(onB.collect(handoff, 401).getString("error")).isEqualTo("handoff_unknown");
    for (SsoJar node : List.of(onA, onB)) {
      URI replay = at(callback, node == onA ? portA : portB);
      JsonObject r = onA.collect(onA.handoffIn(node.redirectFrom(replay)), 401);
      assertThat(r.getString("error")).isEqualTo("sign_in_unknown");
      assertThat(r.containsKey("token")).isFalse();
    }
    assertThat(idp.tokenRefusals).as("a replay never reached the provider with the used code").isEmpty();
  }

  @Test
  void oneCallbackDeliveredToBothNodesAtOnceSignsInOnce() throws Exception {
    int portA = freePort();
    int portB = freePort();
    node("node-a", portA, portA, RedisSupport.uri());
    node("node-b", portB, portA, RedisSupport.uri());
    SsoJar onA = new SsoJar(base(portA), idp);

    for (int round = 0; round < 5; round++) {
      URI callback = onA.toCallback();
      List<CompletableFuture<HttpResponse<String>>> both = new ArrayList<>();
      for (int port : new int[] {portA, portB}) {
        both.add(onA.http.sendAsync(HttpRequest.newBuilder(at(callback, port)).GET().build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      List<String> outcomes = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> f : both) {
        HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(302);
        HttpResponse<String> c = onA.collect(onA.handoffIn(URI.create(r.headers().firstValue("Location").orElseThrow())));
        JsonObject body = new JsonObject(c.body());
        outcomes.add(c.statusCode() + " " + body.getString("user", body.getString("error")));
      }
      assertThat(outcomes).as("round " + round).containsExactlyInAnyOrder("200 alice", "401 sign_in_unknown");
    }
  }

  @Test
  void withTheStoreUnreachableSignInStopsOnTheSignInScreenAndNobodyIsSignedIn() throws Exception {
    try (RedisSupport.PrivateRedis redis = RedisSupport.startPrivate(); Browser browser = new Browser()) {
      int port = freePort();
      node("node-a", port, port, redis.uri());
      SsoJar jar = new SsoJar(base(port), idp);
      URI callback = jar.toCallback();
      String pending = jar.handoff(jar.toCallback());

      redis.kill();
      JsonObject atCallback = jar.collect(jar.handoff(callback), 503);
      assertThat(atCallback.getString("error")).isEqualTo("sign_in_store_unavailable");
      assertThat(atCallback.getString("message")).contains("sign-in state cannot be stored").contains("Nobody was signed in");
      // staff pressing "Sign in" again and again through the outage: past the per-address limit,
      // and still each one is told the store is down (not "too many"), and none of them counts
      // against sign-in once the store is back
      for (int i = 0; i <= OidcSignIn.LOGINS_PER_ADDRESS_PER_MINUTE + 5; i++) {
        assertThat(jar.collect(jar.handoffIn(jar.login()), 503).getString("error"))
            .as("login %d cannot start either", i).isEqualTo("sign_in_store_unavailable");
      }
      assertThat(jar.collect(pending, 503).getString("error"))
          .as("a finished sign-in cannot be collected").isEqualTo("sign_in_store_unavailable");

      browser.newTab(base(port));
      browser.awaitClickable("#sso-sign-in").click();
      WebElement error = browser.await("#sso-error");
      assertThat(error.getText())
          .contains("Could not sign in with SSO")
          .contains("sign-in state cannot be stored")
          .contains("sign_in_store_unavailable, HTTP 503");
      assertThat(browser.driver.findElements(org.openqa.selenium.By.id("current-user"))).isEmpty();
      browser.screenshot("12-sso-store-unavailable");

      // an empty Redis again: sign-in works as soon as the node has reconnected
      redis.restart();
      URI[] login = new URI[1];
      Poll.until("sign-in to start again after Redis came back", Duration.ofSeconds(20),
          () -> (login[0] = jar.login()).toString().startsWith(idp.issuer()));
      URI fresh = jar.redirectFrom(login[0]);
      assertThat(jar.collect(jar.handoff(fresh), 200).getString("user")).isEqualTo("alice");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
