package io.airlock.gateway.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.gateway.store.memory.InMemoryEventBus;
import io.airlock.policy.port.EventBus;
import io.airlock.policy.port.StoreEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events over the Redis channel {@code <prefix>events}, payload {@code {"type": ..., "attributes":
 * {...}}}. Every node, the publisher included, receives each event once, through Redis. Best
 * effort, like pub/sub itself: a publish while Redis is unreachable is logged and dropped, and
 * events published while this node was disconnected are never replayed (readers reload state
 * after a reconnect).
 *
 * <p>Listeners run on Lettuce's I/O thread, in subscription order: they must hand work off (e.g.
 * {@code context.runOnContext}) and never block.
 */
public final class RedisEventBus implements EventBus {
  private static final Logger LOG = LoggerFactory.getLogger(RedisEventBus.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final RedisClusterAsyncCommands<String, String> redis;
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final String channel;
  private final CopyOnWriteArrayList<Consumer<StoreEvent>> listeners = new CopyOnWriteArrayList<>();
  private final RedisPubSubAdapter<String, String> adapter =
      new RedisPubSubAdapter<>() {
        @Override
        public void message(String ch, String message) {
          if (channel.equals(ch)) {
            received(message);
          }
        }
      };

  private RedisEventBus(RedisConnector connector) {
    this.redis = connector.commands();
    this.pubSub = connector.pubSub();
    this.channel = connector.keys().eventsChannel();
  }

  /** Completes once Redis confirmed the subscription, so nothing published after it is missed. */
  public static CompletionStage<RedisEventBus> open(RedisConnector connector) {
    RedisEventBus bus = new RedisEventBus(Objects.requireNonNull(connector, "connector"));
    bus.pubSub.addListener(bus.adapter);
    return bus.pubSub.async().subscribe(bus.channel).thenApply(x -> bus);
  }

  @Override
  public void publish(StoreEvent event) {
    Objects.requireNonNull(event, "event");
    redis
        .publish(channel, encode(event))
        .whenComplete(
            (n, e) -> {
              if (e != null) {
                LOG.warn("event {} not published: {}", event.type(), RedisConnector.unwrap(e).toString());
              }
            });
  }

  @Override
  public AutoCloseable subscribe(Consumer<StoreEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    Consumer<StoreEvent> entry = listener::accept;
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  /** Stops listening; the connection itself belongs to the connector. */
  public CompletionStage<Void> closeAsync() {
    pubSub.removeListener(adapter);
    return pubSub.async().unsubscribe(channel);
  }

  private void received(String message) {
    StoreEvent event;
    try {
      event = decode(message);
    } catch (RuntimeException | JsonProcessingException e) {
      // another writer on our channel (or an older version): never let it reach listeners
      LOG.warn("ignored a malformed event on {}: {}", channel, e.getMessage());
      return;
    }
    InMemoryEventBus.deliver(listeners, event, LOG);
  }

  static String encode(StoreEvent event) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("type", event.type());
    ObjectNode a = o.putObject("attributes");
    new TreeMap<>(event.attributes()).forEach(a::put);
    return o.toString();
  }

  static StoreEvent decode(String message) throws JsonProcessingException {
    JsonNode o = MAPPER.readTree(message);
    if (o == null || !o.path("type").isTextual() || !o.path("attributes").isObject()) {
      throw new IllegalArgumentException("expected {\"type\": text, \"attributes\": {...}}");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    for (var e : o.get("attributes").properties()) {
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException("attribute '" + e.getKey() + "' is not text");
      }
      attributes.put(e.getKey(), e.getValue().textValue());
    }
    return new StoreEvent(o.get("type").textValue(), attributes);
  }
}
