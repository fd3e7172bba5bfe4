package io.airlock.gateway.identity;

import static io.airlock.gateway.identity.Unauthenticated.shown;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider's signing keys, fetched over HTTP with Vert.x (never a blocking fetch on
 * the event loop), cached, and fetched again on a timer and when a token names a kid we do not
 * know, which is how a key rotation at the provider shows up.
 *
 * <p>Kid-triggered fetches are rate-limited (one per {@code minUnknownKidInterval}) and shared by
 * everyone waiting at that moment, so a flood of tokens with random kids costs the provider at
 * most one request per interval. A failed fetch keeps the keys we have: an outage at the provider
 * must not log everybody out, nor may an empty or garbled answer.
 */
final class JwksKeys implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);

  /** Real key sets are a few KB; the cap keeps a wrong URL from filling the heap. */
  static final int MAX_JWKS_BYTES = 512 * 1024;

  static final int MIN_RSA_BITS = 2048;
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final URI uri;
  private final Clock clock;
  private final Duration minUnknownKidInterval;
  private final Runnable onKeysWithdrawn;
  private final HttpClient http;
  // every fetch runs here: response handlers must be set on the thread that receives the
  // response, or body chunks can arrive before the handler does
  private final Context fetchContext;
  private final long timerId;

  private volatile Map<String, JWK> byKid = Map.of();
  // guarded by this
  private CompletableFuture<Void> inFlight;
  private long lastKidFetchMillis = Long.MIN_VALUE;

  /**
   * @param onKeysWithdrawn runs when a fetched set no longer holds a kid we had: tokens verified
   *     with it must not stay trusted from a cache
   */
  JwksKeys(
      Vertx vertx,
      URI uri,
      Duration refresh,
      Duration minUnknownKidInterval,
      Clock clock,
      Runnable onKeysWithdrawn) {
    this.vertx = vertx;
    this.uri = uri;
    this.clock = clock;
    this.minUnknownKidInterval = minUnknownKidInterval;
    this.onKeysWithdrawn = onKeysWithdrawn;
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) FETCH_TIMEOUT.toMillis())
                .setVerifyHost(true)
                .setKeepAlive(true));
    this.fetchContext = vertx.getOrCreateContext();
    this.timerId = vertx.setPeriodic(refresh.toMillis(), id -> fetch());
  }

  /** Fetches now (at start-up); completes when the set is loaded or the fetch failed. */
  Future<Void> refresh() {
    return Future.fromCompletionStage(fetch(), vertx.getOrCreateContext());
  }

  /**
   * The key for {@code kid}, usable with {@code alg}. An unknown kid triggers one fetch (rate
   * limited) before it is refused. Completes on {@code context}.
   */
  Future<JWK> keyFor(String kid, JWSAlgorithm alg, Context context) {
    JWK key = byKid.get(kid);
    if (key != null) {
      return usable(key, alg);
    }
    CompletableFuture<Void> fetch = fetchForUnknownKid();
    if (fetch == null) {
      return Future.failedFuture(unknownKid(kid));
    }
    return Future.fromCompletionStage(fetch, context)
        .transform(ignored -> {
          JWK k = byKid.get(kid);
          return k == null ? Future.failedFuture(unknownKid(kid)) : usable(k, alg);
        });
  }

  private Unauthenticated unknownKid(String kid) {
    return new Unauthenticated(
        byKid.isEmpty()
            ? "the identity provider's signing keys could not be fetched; retry shortly"
            : "staff token kid " + shown(kid) + " is not among the identity provider's keys");
  }

  /** The key's type, curve, declared alg and use must all fit the token's alg. */
  private static Future<JWK> usable(JWK key, JWSAlgorithm alg) {
    boolean typeFits =
        JWSAlgorithm.Family.RSA.contains(alg)
            ? key instanceof RSAKey
            : key instanceof ECKey ec && Curve.forJWSAlgorithm(alg).contains(ec.getCurve());
    boolean algFits = key.getAlgorithm() == null || key.getAlgorithm().equals(alg);
    if (!typeFits || !algFits) {
      return Future.failedFuture(new Unauthenticated(
          "staff token alg " + alg + " does not fit key " + shown(key.getKeyID())));
    }
    return Future.succeededFuture(key);
  }

  private synchronized CompletableFuture<Void> fetchForUnknownKid() {
    if (inFlight != null) {
      return inFlight;
    }
    long now = clock.millis();
    if (lastKidFetchMillis != Long.MIN_VALUE
        && now - lastKidFetchMillis < minUnknownKidInterval.toMillis()) {
      return null;
    }
    lastKidFetchMillis = now;
    return fetch();
  }

  /** Starts a fetch unless one is running, which is then shared. Never completes exceptionally. */
  private synchronized CompletableFuture<Void> fetch() {
    if (inFlight != null) {
      return inFlight;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    inFlight = done;
    fetchContext.runOnContext(v -> get().onComplete(ar -> {
      if (ar.succeeded()) {
        install(ar.result());
      } else {
        log.warn("identity: fetching the JWKS from {} failed, keeping {} known key(s): {}",
            uri, byKid.size(), ar.cause().toString());
      }
      synchronized (this) {
        inFlight = null;
      }
      done.complete(null);
    }));
    return done;
  }

  private Future<Map<String, JWK>> get() {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(uri.toString())
            .setTimeout(FETCH_TIMEOUT.toMillis())
            .putHeader("Accept", "application/jwk-set+json, application/json");
    return http.request(options)
        .compose(req -> req.send())
        .compose(resp -> IdpResponses.body(resp, MAX_JWKS_BYTES, "JWKS"))
        .map(JwksKeys::parse);
  }

  /** Signature keys we can use, by kid; a set with none is a failed fetch, not "no keys". */
  static Map<String, JWK> parse(Buffer body) {
    JWKSet set;
    try {
      set = JWKSet.parse(body.toString(StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWK set: " + e.getMessage());
    }
    Map<String, JWK> keys = new LinkedHashMap<>();
    for (JWK k : set.getKeys()) {
      // a private part has no business in a published set; only the public half is kept
      JWK pub = k.toPublicJWK();
      if (pub == null
          || pub.getKeyID() == null
          || (pub.getKeyUse() != null && !KeyUse.SIGNATURE.equals(pub.getKeyUse()))
          || !(pub instanceof RSAKey || pub instanceof ECKey)
          || (pub instanceof RSAKey rsa && rsa.size() < MIN_RSA_BITS)
          || keys.containsKey(pub.getKeyID())) {
        // ambiguous kids (listed twice) are skipped on their second appearance
        continue;
      }
      keys.put(pub.getKeyID(), pub);
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("the JWK set holds no usable signature key (RSA >= "
          + MIN_RSA_BITS + " bits or EC, with a kid)");
    }
    return Map.copyOf(keys);
  }

  private void install(Map<String, JWK> fresh) {
    Map<String, JWK> old = byKid;
    byKid = fresh;
    if (!fresh.keySet().equals(old.keySet())) {
      log.info("identity: JWKS from {} now holds kids {}", uri, fresh.keySet());
    }
    if (!fresh.keySet().containsAll(old.keySet())) {
      onKeysWithdrawn.run();
    }
  }

  Set<String> kids() {
    return byKid.keySet();
  }

  @Override
  public void close() {
    vertx.cancelTimer(timerId);
    http.close();
  }
}
