package io.airlock.gateway.store;

import static io.airlock.gateway.store.AccessRequestStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.gateway.store.redis.RedisAccessRequestStore;
import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisUnavailableException;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.request.AccessRequest;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Redis going away must cost a caller at most a command timeout, never a queue or a hang. */
class RedisConnectorTest {
  @Test
  void commandsFailFastWhileRedisIsDownAndWorkAgainAfterItReturns() throws Exception {
    try (RedisSupport.PrivateRedis server = RedisSupport.startPrivate();
        RedisConnector redis = await(RedisConnector.connect(RedisConfig.of(server.uri())))) {
      RedisAccessRequestStore store = new RedisAccessRequestStore(redis, Clock.systemUTC(), AccessRequestStoreContract.AFTER_EXPIRY);
      AccessRequest r = Requests.pending("req-1", "alice", Instant.now());
      await(store.create(r));

      server.kill();
      Instant asked = Instant.now();
      assertThatThrownBy(() -> await(store.get("req-1"))).isInstanceOf(Exception.class);
      // commandTimeout is 500 ms; the margin is for a loaded CI machine, not for a queue
      assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofSeconds(2));

      server.restart();
      Instant deadline = Instant.now().plusSeconds(20);
      while (true) {
        try {
          // the restarted server is empty: no persistence, by design of the test server
          assertThat(await(store.get("req-1"))).isEmpty();
          break;
        } catch (Exception stillDown) {
          if (Instant.now().isAfter(deadline)) {
            throw new AssertionError("no reconnect within 20 s", stillDown);
          }
          RedisSupport.pause();
        }
      }
      await(store.create(r));
      assertThat(await(store.get("req-1"))).contains(r);
    }
  }

  @Test
  void connectingToNothingFailsWithinTheConnectTimeoutAndHidesThePassword() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RedisConfig config = RedisConfig.of("redis://:s3cret@127.0.0.1:" + port);
    // the first attempt in a JVM pays for loading Lettuce and Netty: time the second
    assertThatThrownBy(() -> await(RedisConnector.connect(config)));
    Instant asked = Instant.now();
    assertThatThrownBy(() -> await(RedisConnector.connect(config)))
        .isInstanceOf(RedisUnavailableException.class)
        .hasMessageContaining("127.0.0.1:" + port)
        .hasMessageNotContaining("s3cret");
    assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aConfigNeverPrintsItsPassword() {
    RedisConfig c = RedisConfig.of("rediss://user:s3cret@redis.internal:6380/0");
    assertThat(c.toString()).doesNotContain("s3cret").contains("redis.internal:6380");
  }
}
