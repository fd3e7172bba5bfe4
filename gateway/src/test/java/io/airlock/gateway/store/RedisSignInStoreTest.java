package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.store.redis.RedisKeys;
import io.airlock.gateway.store.redis.RedisSignInStore;
import io.airlock.policy.port.SignInStore;
import io.airlock.policy.port.SignInStore.Kind;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisSignInStoreTest extends SignInStoreContract {
  private static TwoRedisNodes redis;
  private RedisKeys keys;

  @BeforeAll
  static void connect() throws Exception {
    redis = TwoRedisNodes.connect();
  }

  @AfterAll
  static void cleanUp() {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected SignInStore newStore() {
    keys = redis.freshKeys();
    return new RedisSignInStore(redis.node.commands(), keys);
  }

  @Override
  protected SignInStore sameState() {
    return new RedisSignInStore(redis.otherNode.commands(), keys);
  }

  private Object raw(String... args) {
    return redis.raw(args);
  }

  @Test
  void oneStringPerRecordUnderThePrefixThatRedisExpires() throws Exception {
    await(store.putNew(Kind.HANDOFF, "h-1", "outcome", Duration.ofMinutes(1)));
    await(store.putNew(Kind.PENDING_SIGN_IN, "s-1", "attempt", Duration.ofMinutes(10)));
    assertThat(keys.signInHandoff("h-1")).isEqualTo(keys.prefix() + "sso:handoff:{h-1}");
    assertThat(keys.pendingSignIn("s-1")).isEqualTo(keys.prefix() + "sso:pending:{s-1}");
    assertThat(raw("GET", keys.signInHandoff("h-1"))).isEqualTo("outcome");
    assertThat((Long) raw("PTTL", keys.signInHandoff("h-1"))).isBetween(50_000L, 60_000L);
    assertThat((Long) raw("PTTL", keys.pendingSignIn("s-1"))).isBetween(590_000L, 600_000L);
    await(store.take(Kind.HANDOFF, "h-1"));
    assertThat(raw("EXISTS", keys.signInHandoff("h-1"))).as("taken means deleted").isEqualTo(0L);
  }
}
