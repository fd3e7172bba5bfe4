package io.airlock.gateway.grant;

import static io.airlock.gateway.grant.GrantFixtures.K1;
import static io.airlock.gateway.grant.GrantFixtures.T0;
import static io.airlock.gateway.grant.GrantFixtures.claims;
import static io.airlock.gateway.grant.GrantFixtures.header;
import static io.airlock.gateway.grant.GrantFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.airlock.gateway.grant.GrantFixtures.ManualTime;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Grant;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class GrantGateTest {
  private final ManualTime time = new ManualTime(T0);
  private final AtomicInteger signatures = new AtomicInteger();
  private GrantGate gate;

  @AfterEach
  void close() {
    if (gate != null) {
      gate.close();
    }
  }

  private GrantGate gate(Vertx vertx, int maxFailures, int workers, int slots,
      Consumer<String> hook) {
    GrantVerifier verifier = GrantFixtures.verifier(time, kid -> {
      signatures.incrementAndGet();
      hook.accept(kid);
    }, K1);
    gate = new GrantGate(vertx, verifier, GrantFixtures.config(maxFailures), time, time, workers,
        slots);
    return gate;
  }

  private static Grant await(Future<Grant> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Denied refusal(Future<Grant> f) throws Exception {
    try {
      Grant g = await(f);
      throw new AssertionError("expected a refusal, got " + g);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(Denied.class);
      return (Denied) e.getCause();
    }
  }

  private static String grantWithJti(String jti) {
    Map<String, Object> c = claims(T0);
    c.put("jti", jti);
    return token(header("k1"), c, K1);
  }

  /** Passes every cheap check, fails the signature: what a forger can produce. */
  private static String forged(String jti) {
    String t = grantWithJti(jti);
    String[] p = t.split("\\.");
    return p[0] + "." + p[1] + "." + token(header("k1"), claims(T0), GrantFixtures.K2).split("\\.")[2];
  }

  @Test
  void cacheHitCostsNoSecondSignature(Vertx vertx) throws Exception {
    gate(vertx, 10, 1, 4, kid -> {});
    String t = grantWithJti("hot");

    assertThat(await(gate.verify(t, "10.0.0.1")).jti()).isEqualTo("hot");
    assertThat(await(gate.verify(t, "10.0.0.2")).jti()).isEqualTo("hot");
    assertThat(signatures).hasValue(1);
  }

  @Test
  void expiredEntryIsNotServedFromCache(Vertx vertx) throws Exception {
    gate(vertx, 10, 1, 4, kid -> {});
    String t = grantWithJti("short");
    await(gate.verify(t, "a"));

    time.advance(Duration.ofMinutes(15).plusSeconds(1));
    // Past exp but inside the leeway: still valid, yet verified again rather than served.
    assertThat(await(gate.verify(t, "a")).jti()).isEqualTo("short");
    assertThat(signatures).hasValue(2);

    time.advance(Duration.ofSeconds(30));
    assertThat(refusal(gate.verify(t, "a")).reason()).isEqualTo(Reason.GRANT_EXPIRED);
    assertThat(signatures).hasValue(2);
  }

  @Test
  void clockDecidesEvenWhenTheCacheTickerLags(Vertx vertx) throws Exception {
    GrantVerifier verifier = GrantFixtures.verifier(time, kid -> signatures.incrementAndGet(), K1);
    Ticker frozen = () -> 0L;
    gate = new GrantGate(vertx, verifier, GrantFixtures.config(10), time, frozen, 1, 4);
    String t = grantWithJti("lag");
    await(gate.verify(t, "a"));

    time.advance(Duration.ofHours(1));
    assertThat(refusal(gate.verify(t, "a")).reason()).isEqualTo(Reason.GRANT_EXPIRED);
  }

  @Test
  void failuresPerAddressAreLimitedAndOtherAddressesAreNot(Vertx vertx) throws Exception {
    gate(vertx, 3, 1, 4, kid -> {});
    for (int i = 0; i < 3; i++) {
      Denied d = refusal(gate.verify(forged("f" + i), "10.6.6.6"));
      assertThat(d.reason()).isEqualTo(Reason.GRANT_INVALID);
      assertThat(d.getMessage()).contains("signature does not verify");
    }
    assertThat(signatures).hasValue(3);

    Denied limited = refusal(gate.verify(forged("f9"), "10.6.6.6"));
    assertThat(limited.reason()).isEqualTo(Reason.TOO_MANY_INVALID_GRANTS);
    assertThat(limited.getMessage()).contains("too many invalid grants from this address");
    // Refused before any signature work, even for a genuine grant.
    assertThat(refusal(gate.verify(grantWithJti("ok"), "10.6.6.6")).reason())
        .isEqualTo(Reason.TOO_MANY_INVALID_GRANTS);
    assertThat(signatures).hasValue(3);

    // ECDSA signing is randomised: keep one spelling so the second look-up can be a cache hit.
    String ok = grantWithJti("ok");
    assertThat(await(gate.verify(ok, "10.0.0.7")).jti()).isEqualTo("ok");
    assertThat(refusal(gate.verify(forged("g1"), "10.0.0.7")).reason())
        .isEqualTo(Reason.GRANT_INVALID);
    // Verified above from another address: a cache hit is served whatever the address.
    assertThat(await(gate.verify(ok, "10.6.6.6")).jti()).isEqualTo("ok");

    time.advance(Duration.ofSeconds(61));
    assertThat(refusal(gate.verify(forged("f10"), "10.6.6.6")).reason())
        .isEqualTo(Reason.GRANT_INVALID);
  }

  @Test
  void cheapFailuresCountTowardsTheLimitWithoutSignatureWork(Vertx vertx) throws Exception {
    gate(vertx, 2, 1, 4, kid -> {});
    assertThat(refusal(gate.verify("garbage", "b")).reason()).isEqualTo(Reason.GRANT_INVALID);
    assertThat(refusal(gate.verify("a.b.c", "b")).reason()).isEqualTo(Reason.GRANT_INVALID);
    assertThat(refusal(gate.verify(grantWithJti("x"), "b")).reason())
        .isEqualTo(Reason.TOO_MANY_INVALID_GRANTS);
    assertThat(signatures).hasValue(0);
  }

  @Test
  void signatureVerificationsInFlightAreBounded(Vertx vertx) throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    gate(vertx, 100, 1, 2, kid -> {
      entered.countDown();
      try {
        // Holds the only worker so the slots stay taken while the test probes the bound.
        assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    String one = grantWithJti("one");
    Future<Grant> first = gate.verify(one, "a");
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    Future<Grant> second = gate.verify(grantWithJti("two"), "b");
    Future<Grant> sameAsFirst = gate.verify(one, "c");

    Denied overflow = refusal(gate.verify(grantWithJti("three"), "d"));
    assertThat(overflow.reason()).isEqualTo(Reason.TOO_MANY_INVALID_GRANTS);
    assertThat(overflow.getMessage()).contains("too many grant signatures are being verified");

    release.countDown();
    assertThat(await(first).jti()).isEqualTo("one");
    assertThat(await(second).jti()).isEqualTo("two");
    assertThat(await(sameAsFirst).jti()).isEqualTo("one");
    // "one" was asked for twice while in flight and verified once.
    assertThat(signatures).hasValue(2);
    // Slots are given back: new work is accepted again.
    assertThat(await(gate.verify(grantWithJti("three"), "d")).jti()).isEqualTo("three");
  }
}
