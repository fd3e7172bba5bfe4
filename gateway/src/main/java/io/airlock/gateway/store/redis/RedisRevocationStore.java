package io.airlock.gateway.store.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.policy.port.RevocationStore;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocation state in Redis, shared by every node (layout: {@link RedisKeys}).
 *
 * <p><b>Deliberate deviation from DESIGN.md</b>, which names one {@code revoked:{jti}} key per
 * revoked grant with a TTL: here all revoked ids are one ZSET (jti → grant expiry in ms), pruned
 * with ZREMRANGEBYSCORE on every load. A node reloads the whole state after every reconnect and
 * whenever its version check fails, so one key that loads in one round trip beats a SCAN over
 * thousands; and one key shares the {@code {rev}} slot with the epoch, the version and the rest,
 * so every mutation below is one single-slot script on Cluster. An id stays until the grant it
 * covers is accepted nowhere any more: its exp plus {@code revocableAfterExpiry} (the verifier's
 * leeway and a margin for clocks that disagree), never shorter than the grant.
 *
 * <p>Every mutation is one Lua script that changes the state, INCRs the version and PUBLISHes the
 * {@link Change} ({@code {"kind","value","version"}}) on {@code {rev}:changes}. Publishing inside
 * the script rather than from the client after it answered: Redis runs scripts one at a time, so
 * messages leave in exactly version order even when several nodes write at once (a node applying
 * them sees no false gaps), and a change is published if and only if it was applied (a client that
 * dies between its write and its publish cannot leave other nodes waiting for the confirmation
 * timer). PUBLISH from a script is allowed on Cluster (the channel is not a key) and is broadcast to
 * every node of the cluster.
 *
 * <p>Stages complete on a Lettuce I/O thread, and so do change callbacks: callers hand off and
 * never block.
 */
public final class RedisRevocationStore implements RevocationStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRevocationStore.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A node not seen for this many liveness windows (and at least a minute) leaves the hash. */
  static final int FORGET_AFTER_WINDOWS = 20;

  static final Duration FORGET_AT_LEAST = Duration.ofMinutes(1);

  /** Delay before retrying a SUBSCRIBE that Redis did not take (it was down at that moment). */
  static final Duration RESUBSCRIBE_DELAY = Duration.ofMillis(200);

  // '%d' and cjson for the message: plain concatenation would print numbers as %.14g
  private static final String PUBLISH =
      "local function publish(channel, kind, value, version)\n"
          + "  redis.call('PUBLISH', channel, '{\"kind\":\"' .. kind .. '\",\"value\":' .. cjson.encode(value)"
          + " .. ',\"version\":' .. string.format('%d', version) .. '}')\n"
          + "end\n";

  // KEYS epoch, version, lockdown; ARGV floor, lockdown (1/0), channel. Returns the new epoch.
  private static final String KILL =
      "local function kill(floor, lock, channel)\n"
          + "  local cur = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
          + "  if tonumber(floor) > cur then redis.call('SET', KEYS[1], floor) end\n"
          + "  local e = redis.call('INCR', KEYS[1])\n"
          + "  if lock == '1' then redis.call('SET', KEYS[3], '1') end\n"
          + "  local v = redis.call('INCR', KEYS[2])\n"
          + "  publish(channel, 'KILL_ALL', string.format('%d', e), v)\n"
          + "  return e\n"
          + "end\n";

  private static final LuaScript KILL_ALL =
      new LuaScript(PUBLISH + KILL + "return kill(ARGV[1], ARGV[2], ARGV[3])\n");

  // KEYS epoch, version, lockdown, init; ARGV floor, channel. Only the first caller acts.
  private static final LuaScript RESEED =
      new LuaScript(
          PUBLISH
              + KILL
              + "if redis.call('EXISTS', KEYS[4]) == 1 then\n"
              + "  return tonumber(redis.call('GET', KEYS[1]) or '0')\n"
              + "end\n"
              + "redis.call('SET', KEYS[4], '1')\n"
              + "return kill(ARGV[1], '1', ARGV[2])\n");

  // KEYS init, epoch; ARGV floor. Only the first caller acts; the epoch never goes down.
  private static final LuaScript INIT =
      new LuaScript(
          "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
              + "redis.call('SET', KEYS[1], '1')\n"
              + "local cur = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
              + "if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[2], ARGV[1]) end\n"
              + "return 1\n");

  // KEYS version, revoked, suspended, lockdown; ARGV kind, value, channel, revoked-until (ms)
  private static final LuaScript CHANGE =
      new LuaScript(
          PUBLISH
              + "local kind = ARGV[1]\n"
              + "if kind == 'REVOKE' then redis.call('ZADD', KEYS[2], 'GT', ARGV[4], ARGV[2])\n"
              + "elseif kind == 'SUSPEND' then redis.call('SADD', KEYS[3], ARGV[2])\n"
              + "elseif kind == 'RESUME' then redis.call('SREM', KEYS[3], ARGV[2])\n"
              + "elseif kind == 'LOCKDOWN_LIFTED' then redis.call('DEL', KEYS[4])\n"
              + "else return redis.error_reply('unknown revocation change ' .. kind) end\n"
              + "local v = redis.call('INCR', KEYS[1])\n"
              + "publish(ARGV[3], kind, ARGV[2], v)\n"
              + "return v\n");

  // KEYS init, version, epoch, lockdown, revoked, suspended; ARGV prune ids of grants expired before (ms).
  // Versions and epochs go back as strings: a Lua number is a double.
  private static final LuaScript LOAD =
      new LuaScript(
          "redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[1])\n"
              + "return {redis.call('EXISTS', KEYS[1]), redis.call('GET', KEYS[2]) or '0',"
              + " redis.call('GET', KEYS[3]) or '0', redis.call('EXISTS', KEYS[4]),"
              + " redis.call('ZRANGE', KEYS[5], 0, -1), redis.call('SMEMBERS', KEYS[6])}\n");

  // KEYS nodes; ARGV field, value seen, field, value seen, ... Deletes only what did not move on.
  private static final LuaScript FORGET =
      new LuaScript(
          "local n = 0\n"
              + "for i = 1, #ARGV, 2 do\n"
              + "  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then\n"
              + "    n = n + redis.call('HDEL', KEYS[1], ARGV[i])\n"
              + "  end\n"
              + "end\n"
              + "return n\n");

  private final RedisClusterAsyncCommands<String, String> redis;
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final RedisKeys keys;
  private final Clock clock;
  private final Duration revocableAfterExpiry;
  private final String channel;
  private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final RedisPubSubAdapter<String, String> listener =
      new RedisPubSubAdapter<>() {
        @Override
        public void message(String ch, String message) {
          if (channel.equals(ch)) {
            received(message);
          }
        }

        // Redis confirmed the SUBSCRIBE: the first one, and the one Lettuce sends again after
        // every reconnect. Everything published before this may have been missed.
        @Override
        public void subscribed(String ch, long count) {
          if (channel.equals(ch)) {
            for (Subscriber s : subscribers) {
              s.subscribed();
            }
          }
        }
      };
  private boolean listening;

  /** @param revocableAfterExpiry how long past its grant's exp a revoked id is kept ({@code GrantsConfig}) */
  public RedisRevocationStore(RedisConnector connector, Clock clock, Duration revocableAfterExpiry) {
    this(connector.commands(), connector.pubSub(), connector.keys(), clock, revocableAfterExpiry);
  }

  /** With keys other than the connector's prefix: several isolated stores on one connection. */
  public RedisRevocationStore(
      RedisClusterAsyncCommands<String, String> redis,
      StatefulRedisPubSubConnection<String, String> pubSub,
      RedisKeys keys,
      Clock clock,
      Duration revocableAfterExpiry) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.pubSub = Objects.requireNonNull(pubSub, "pubSub");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.revocableAfterExpiry = Objects.requireNonNull(revocableAfterExpiry, "revocableAfterExpiry");
    this.channel = keys.revocationChanges();
  }

  @Override
  public CompletionStage<State> load() {
    String[] k = {
      keys.revocationInit(), keys.revocationVersion(), keys.epoch(), keys.lockdown(), keys.revoked(), keys.suspended()
    };
    // not at exp: a node still accepts the grant until exp + leeway, on a clock that may lag ours
    long pruneBefore = clock.millis() - revocableAfterExpiry.toMillis();
    return LOAD.<List<Object>>run(redis, ScriptOutputType.MULTI, k, Long.toString(pruneBefore))
        .thenApply(
            r ->
                new State(
                    flag(r.get(0)),
                    number(r.get(1)),
                    number(r.get(2)),
                    strings(r.get(4)),
                    strings(r.get(5)),
                    flag(r.get(3))));
  }

  @Override
  public CompletionStage<Stamp> stamp() {
    return redis
        .mget(keys.revocationInit(), keys.revocationVersion(), keys.epoch())
        .thenApply(
            kv ->
                new Stamp(
                    value(kv.get(0)) != null, numberOrZero(value(kv.get(1))), numberOrZero(value(kv.get(2)))));
  }

  @Override
  public CompletionStage<Long> killAll(long floor, boolean lockdown) {
    return KILL_ALL.run(
        redis,
        ScriptOutputType.INTEGER,
        new String[] {keys.epoch(), keys.revocationVersion(), keys.lockdown()},
        Long.toString(floor),
        lockdown ? "1" : "0",
        channel);
  }

  @Override
  public CompletionStage<Long> reseedIfEmpty(long floor) {
    return RESEED.run(
        redis,
        ScriptOutputType.INTEGER,
        new String[] {keys.epoch(), keys.revocationVersion(), keys.lockdown(), keys.revocationInit()},
        Long.toString(floor),
        channel);
  }

  @Override
  public CompletionStage<Void> initialize(long epochFloor) {
    return INIT.<Long>run(
            redis,
            ScriptOutputType.INTEGER,
            new String[] {keys.revocationInit(), keys.epoch()},
            Long.toString(epochFloor))
        .thenApply(done -> null);
  }

  @Override
  public CompletionStage<Void> revoke(String jti, Instant grantExpiresAt) {
    return change(Change.Kind.REVOKE, jti, grantExpiresAt.toEpochMilli());
  }

  @Override
  public CompletionStage<Void> suspend(String agent) {
    return change(Change.Kind.SUSPEND, agent, 0);
  }

  @Override
  public CompletionStage<Void> resume(String agent) {
    return change(Change.Kind.RESUME, agent, 0);
  }

  @Override
  public CompletionStage<Void> liftLockdown() {
    return change(Change.Kind.LOCKDOWN_LIFTED, "-", 0);
  }

  private CompletionStage<Void> change(Change.Kind kind, String value, long until) {
    return CHANGE.<Long>run(
            redis,
            ScriptOutputType.INTEGER,
            new String[] {keys.revocationVersion(), keys.revoked(), keys.suspended(), keys.lockdown()},
            kind.name(),
            value,
            channel,
            Long.toString(until))
        .thenApply(v -> null);
  }

  @Override
  public CompletionStage<Void> heartbeat(String nodeId, long acknowledgedEpoch, Instant at) {
    return redis.hset(keys.nodes(), nodeId, acknowledgedEpoch + "|" + at.toEpochMilli()).thenApply(x -> null);
  }

  @Override
  public CompletionStage<Void> deregister(String nodeId) {
    return redis.hdel(keys.nodes(), nodeId).thenApply(x -> null);
  }

  @Override
  public CompletionStage<List<NodeStatus>> nodes(Instant now, Duration liveWithin) {
    Duration forgetAfter = liveWithin.multipliedBy(FORGET_AFTER_WINDOWS);
    if (forgetAfter.compareTo(FORGET_AT_LEAST) < 0) {
      forgetAfter = FORGET_AT_LEAST;
    }
    Instant liveSince = now.minus(liveWithin);
    Instant forgetBefore = now.minus(forgetAfter);
    return redis
        .hgetall(keys.nodes())
        .thenApply(
            all -> {
              List<NodeStatus> live = new ArrayList<>();
              List<String> forget = new ArrayList<>();
              for (Map.Entry<String, String> e : all.entrySet()) {
                NodeStatus n = node(e.getKey(), e.getValue());
                if (n == null || n.lastSeen().isBefore(forgetBefore)) {
                  forget.add(e.getKey());
                  forget.add(e.getValue());
                } else if (!n.lastSeen().isBefore(liveSince)) {
                  live.add(n);
                }
              }
              if (!forget.isEmpty()) {
                // housekeeping: the answer does not wait for it, and a failure changes nothing
                FORGET.run(redis, ScriptOutputType.INTEGER, new String[] {keys.nodes()}, forget.toArray(String[]::new));
              }
              return live;
            });
  }

  private static NodeStatus node(String id, String value) {
    int bar = value.indexOf('|');
    if (bar < 0) {
      return null;
    }
    try {
      return new NodeStatus(
          id, Long.parseLong(value.substring(0, bar)), Instant.ofEpochMilli(Long.parseLong(value.substring(bar + 1))));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Subscribes on the connector's pub/sub connection. {@code onSubscribed} runs each time Redis
   * confirms the subscription: first, and again after every reconnect, when Lettuce resubscribes.
   */
  @Override
  public AutoCloseable subscribe(Consumer<Change> onChange, Runnable onSubscribed) {
    Subscriber s = new Subscriber(Objects.requireNonNull(onChange, "onChange"), Objects.requireNonNull(onSubscribed, "onSubscribed"));
    synchronized (this) {
      if (!listening) {
        pubSub.addListener(listener);
        listening = true;
      }
    }
    subscribers.add(s);
    sendSubscribe(s);
    return () -> unsubscribe(s);
  }

  // A SUBSCRIBE rejected while disconnected is not one Lettuce will resend: retry it ourselves.
  private void sendSubscribe(Subscriber s) {
    pubSub
        .async()
        .subscribe(channel)
        .whenComplete(
            (x, err) -> {
              if (err != null && !s.closed) {
                LOG.warn("subscribing to {} failed, retrying: {}", channel, RedisConnector.unwrap(err).toString());
                CompletableFuture.delayedExecutor(RESUBSCRIBE_DELAY.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> sendSubscribe(s));
              }
            });
  }

  private void unsubscribe(Subscriber s) {
    s.closed = true;
    subscribers.remove(s);
    synchronized (this) {
      if (subscribers.isEmpty() && listening) {
        listening = false;
        pubSub.removeListener(listener);
        pubSub.async().unsubscribe(channel);
      }
    }
  }

  private void received(String message) {
    Change c;
    try {
      c = decode(message);
    } catch (RuntimeException | java.io.IOException e) {
      // the version check on the confirmation timer still notices what this message carried
      LOG.warn("ignored a malformed revocation change on {}: {}", channel, e.getMessage());
      return;
    }
    for (Subscriber s : subscribers) {
      try {
        s.onChange.accept(c);
      } catch (RuntimeException e) {
        LOG.error("revocation change listener failed on {}", c, e);
      }
    }
  }

  static Change decode(String message) throws java.io.IOException {
    JsonNode o = MAPPER.readTree(message);
    if (o == null
        || !o.path("kind").isTextual()
        || !o.path("value").isTextual()
        || !o.path("version").canConvertToExactIntegral()) {
      throw new IllegalArgumentException("expected {\"kind\": text, \"value\": text, \"version\": integer}");
    }
    return new Change(Change.Kind.valueOf(o.get("kind").textValue()), o.get("value").textValue(), o.get("version").longValue());
  }

  private static final class Subscriber {
    final Consumer<Change> onChange;
    final Runnable onSubscribed;
    volatile boolean closed;

    Subscriber(Consumer<Change> onChange, Runnable onSubscribed) {
      this.onChange = onChange;
      this.onSubscribed = onSubscribed;
    }

    void subscribed() {
      if (closed) {
        return;
      }
      try {
        onSubscribed.run();
      } catch (RuntimeException e) {
        LOG.error("revocation resubscription callback failed", e);
      }
    }
  }

  private static boolean flag(Object o) {
    return o instanceof Long l && l == 1L;
  }

  private static long number(Object o) {
    return Long.parseLong(String.valueOf(o));
  }

  private static long numberOrZero(String s) {
    return s == null ? 0 : Long.parseLong(s);
  }

  private static String value(KeyValue<String, String> kv) {
    return kv.hasValue() ? kv.getValue() : null;
  }

  @SuppressWarnings("unchecked")
  private static Set<String> strings(Object o) {
    return new HashSet<>((List<String>) o);
  }
}
