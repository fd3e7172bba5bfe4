package io.airlock.gateway.store;

import static io.airlock.gateway.store.AccessRequestStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisEventBus;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.port.EventBus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two connectors with their own connections stand for two gateway nodes. */
class RedisEventBusTest extends EventBusContract {
  private static final String PREFIX = RedisSupport.uniquePrefix();
  private static String uri;
  private static final RedisConnector[] connectors = new RedisConnector[2];
  private static final RedisEventBus[] buses = new RedisEventBus[2];

  @BeforeAll
  static void connect() throws Exception {
    uri = RedisSupport.uri();
    for (int i = 0; i < 2; i++) {
      connectors[i] = await(RedisConnector.connect(RedisConfig.of(uri).withKeyPrefix(PREFIX)));
      buses[i] = await(RedisEventBus.open(connectors[i]));
    }
  }

  @AfterAll
  static void close() {
    for (RedisConnector c : connectors) {
      if (c != null) {
        c.close();
      }
    }
    RedisSupport.deleteKeys(uri, PREFIX);
  }

  @Override
  protected EventBus node(int index) {
    return buses[index];
  }

  @Test
  void somethingElseOnTheChannelNeverReachesListeners() throws Exception {
    Inbox inbox = inbox();
    try (AutoCloseable x = node(1).subscribe(inbox)) {
      var hp = uri.substring("redis://".length()).split(":");
      String channel = PREFIX + "events";
      RedisSupport.command(hp[0], Integer.parseInt(hp[1]), "PUBLISH", channel, "not json");
      RedisSupport.command(hp[0], Integer.parseInt(hp[1]), "PUBLISH", channel, "{\"type\":1}");
      node(0).publish(event("request.created", "req-ok"));

      assertThat(inbox.next().attributes()).containsEntry("id", "req-ok");
      assertThat(inbox.events).isEmpty();
    }
  }
}
