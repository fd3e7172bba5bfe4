package io.airlock.gateway.identity;

import static io.airlock.gateway.identity.IdentityFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.HandClock;
import io.airlock.gateway.store.memory.InMemorySignInStore;
import io.airlock.policy.port.SignInStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nobody needs to be signed in to start a sign-in or to call back: a flood of either must not
 * keep real people from signing in, nor grow the store without bound. Floods come from other
 * loopback addresses (127.0.0.x), as they would from other hosts.
 */
class SsoFloodTest {
  /** The documented per-address limit (docs/architecture.md, SSO). */
  private static final int LOGINS_PER_MINUTE = 30;
  private static final String TOO_MANY = "too-many-sign-ins";
  private static final String FULL = "sign-ins-full";

  @TempDir Path dir;
  private Vertx vertx;
  private TinyIdp idp;
  private SignInServer server;
  private Counted store;
  private final HandClock clock = new HandClock(Instant.now());

  /** The node's own in-memory store, with the records written into it counted. */
  private static final class Counted implements SignInStore {
    final SignInStore inner;
    final Map<Kind, AtomicInteger> written = new EnumMap<>(Kind.class);

    Counted(SignInStore inner) {
      this.inner = inner;
      for (Kind k : Kind.values()) {
        written.put(k, new AtomicInteger());
      }
    }

    @Override
    public CompletionStage<Boolean> putNew(Kind kind, String id, String value, Duration ttl) {
      return inner.putNew(kind, id, value, ttl).thenApply(fresh -> {
        if (fresh) {
          written.get(kind).incrementAndGet();
        }
        return fresh;
      });
    }

    @Override
    public CompletionStage<Optional<String>> peek(Kind kind, String id) {
      return inner.peek(kind, id);
    }

    @Override
    public CompletionStage<Optional<String>> take(Kind kind, String id) {
      return inner.take(kind, id);
    }
  }

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

  private void serve(InMemorySignInStore inner) throws Exception {
    store = new Counted(inner);
    server = new SignInServer(vertx, idp, store, clock, dir, "http");
  }

  private SsoJar jar() {
    return new SsoJar(server.base, idp);
  }

  /** Where a login from {@code address} sends the browser. */
  private URI loginFrom(String address) throws Exception {
    return jar().loginFrom(vertx, address);
  }

  private static boolean toIdp(URI location, TinyIdp idp) {
    return location.toString().startsWith(idp.issuer() + "/authorize?");
  }

  @Test
  void aFloodOfLoginsFromOneAddressIsRefusedWhileRealSignInsComplete() throws Exception {
    serve(new InMemorySignInStore());
    SsoJar early = jar();
    URI earlyAuthorize = early.loginFrom(vertx, "127.0.0.2");

    int toIdp = 0;
    URI refusal = null;
    for (int i = 0; i < 100; i++) {
      URI to = loginFrom("127.0.0.2");
      if (toIdp(to, idp)) {
        toIdp++;
      } else {
        refusal = to;
      }
    }
    assertThat(toIdp).as("logins let through after the one started first").isEqualTo(LOGINS_PER_MINUTE - 1);
    assertThat(store.written.get(SignInStore.Kind.PENDING_SIGN_IN)).hasValue(LOGINS_PER_MINUTE);
    SsoJar flooder = jar();
    assertThat(flooder.handoffIn(refusal)).isEqualTo(TOO_MANY);
    JsonObject told = flooder.collect(TOO_MANY, 429);
    assertThat(told.getString("error")).isEqualTo("too_many_sign_ins");
    assertThat(told.getString("message")).contains("Too many sign-ins").contains("Wait a minute");

    // someone else, on another address, signs in during the flood
    SsoJar other = jar();
    URI otherAuthorize = other.loginFrom(vertx, "127.0.0.3");
    assertThat(other.collect(other.handoff(other.redirectFrom(otherAuthorize)), 200).getString("user")).isEqualTo("alice");
    // and the sign-in started before the flood completes
    assertThat(early.collect(early.handoff(early.redirectFrom(earlyAuthorize)), 200).getString("user")).isEqualTo("alice");
    // a minute later the flooding address may sign in again
    // (the limiter's window is on the system clock: not waited for here)
  }

  @Test
  void aFullStoreRefusesNewLoginsAndEvictsNoSignInInProgress() throws Exception {
    int bound = 40;
    serve(new InMemorySignInStore(bound));
    // the flood fills the store from two addresses...
    for (int i = 0; i < bound - 1; i++) {
      assertThat(toIdp(loginFrom(i < LOGINS_PER_MINUTE ? "127.0.0.10" : "127.0.0.11"), idp)).isTrue();
    }
    // ...a real user takes the last place...
    SsoJar user = jar();
    URI authorize = user.loginFrom(vertx, "127.0.0.12");
    assertThat(toIdp(authorize, idp)).isTrue();
    // ...and the flood goes on from many more, each within its per-address limit
    int refused = 0;
    URI last = null;
    for (int a = 13; a < 20; a++) {
      for (int i = 0; i < LOGINS_PER_MINUTE; i++) {
        last = loginFrom("127.0.0." + a);
        refused += toIdp(last, idp) ? 0 : 1;
      }
    }
    assertThat(refused).as("every login past the bound refused").isEqualTo(7 * LOGINS_PER_MINUTE);
    assertThat(store.written.get(SignInStore.Kind.PENDING_SIGN_IN)).hasValue(bound);
    SsoJar flooder = jar();
    assertThat(flooder.handoffIn(last)).isEqualTo(FULL);
    JsonObject told = flooder.collect(FULL, 503);
    assertThat(told.getString("error")).isEqualTo("sign_ins_full");
    assertThat(told.getString("message")).contains("Nobody was signed in").contains("Try again");

    // the real user's sign-in was not pushed out: it completes
    assertThat(user.collect(user.handoff(user.redirectFrom(authorize)), 200).getString("user")).isEqualTo("alice");
    // and the place it freed takes the next sign-in
    assertThat(toIdp(loginFrom("127.0.0.20"), idp)).isTrue();
  }

  @Test
  void aFloodOfCallbacksWithNoSignInBehindThemStoresNothing() throws Exception {
    serve(new InMemorySignInStore());
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    SsoJar jar = jar();
    String[] queries = {
      "code=x&state=" + OidcSignIn.random(), // well-formed, never issued
      "code=x&state=not-ours",
      "code=x",
      "error=access_denied&state=" + OidcSignIn.random(),
    };
    for (int i = 0; i < 400; i++) {
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create(server.base + "auth/oidc/callback?" + queries[i % queries.length])).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(jar.handoffIn(URI.create(r.headers().firstValue("Location").orElseThrow()))).isEqualTo("sign-in-unknown");
    }
    assertThat(store.written.get(SignInStore.Kind.HANDOFF)).as("hand-offs stored").hasValue(0);
    assertThat(store.written.get(SignInStore.Kind.PENDING_SIGN_IN)).hasValue(0);
    JsonObject told = jar.collect("sign-in-unknown", 401);
    assertThat(told.getString("error")).isEqualTo("sign_in_unknown");
    assertThat(told.getString("message")).contains("unknown, expired or was already used");
    assertThat(server.audited).as("nothing to audit: no sign-in was in progress").isEmpty();
  }

  @Test
  void refusedSignInsAreAuditedAtMostSixtyAMinutePerAddress() throws Exception {
    serve(new InMemorySignInStore());
    // 70 sign-ins started in the attacker's browsers, each delivered to a victim's browser
    int n = 0;
    for (int a = 30; n < 70; a++) {
      for (int i = 0; i < LOGINS_PER_MINUTE && n < 70; i++, n++) {
        SsoJar attacker = jar();
        URI callback = attacker.redirectFrom(attacker.loginFrom(vertx, "127.0.0." + a));
        SsoJar victim = jar();
        assertThat(victim.collect(victim.handoff(callback), 401).getString("error")).isEqualTo("sign_in_other_browser");
      }
    }
    assertThat(server.audited).hasSize(60).allSatisfy(a -> {
      assertThat(a.get("type")).isEqualTo("login.refused");
      @SuppressWarnings("unchecked")
      Map<String, Object> f = (Map<String, Object>) a.get("fields");
      assertThat(f).containsEntry("error", "sign_in_other_browser").containsEntry("remote", "127.0.0.1")
          .doesNotContainKeys("code", "token", "state");
    });
    @SuppressWarnings("unchecked")
    Map<String, Object> last = (Map<String, Object>) server.audited.get(59).get("fields");
    assertThat(String.valueOf(last.get("note"))).contains("not recorded for the rest of this minute");
  }

  @Test
  void overHttpsTheBindingCookieIsHostOnlyAndSecureAndNeverTheOneSent() throws Exception {
    store = new Counted(new InMemorySignInStore());
    server = new SignInServer(vertx, idp, store, clock, dir, "https");
    String planted = OidcSignIn.random();
    HttpResponse<String> r = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build().send(
        HttpRequest.newBuilder(URI.create(server.base + "auth/oidc/login"))
            .header("Cookie", "__Host-airlock_sso=" + planted).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(302);
    String cookie = r.headers().allValues("Set-Cookie").get(0);
    assertThat(r.headers().allValues("Set-Cookie")).hasSize(1);
    assertThat(cookie).startsWith("__Host-airlock_sso=").doesNotContain(planted).doesNotContainIgnoringCase("domain");
    assertThat(cookie.toLowerCase(java.util.Locale.ROOT).split(";\\s*"))
        .contains("path=/", "secure", "httponly", "samesite=lax");
  }
}
