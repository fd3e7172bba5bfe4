package io.airlock.gateway.store.redis;

import io.airlock.policy.port.QuotaDecision;
import io.airlock.policy.port.QuotaStore;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Quotas in Redis, exact and shared by every node: one sorted set per agent and counter (member =
 * client id, score = last time in ms), changed only by {@link #RECORD}, a single-key script, so
 * the check and the record are one atomic step on any topology, Cluster included.
 *
 * <p>DESIGN.md names the keys {@code quota:{agent}:{window}}, one set per window. One set with
 * times as scores answers both windows from the same data in one step, where two keys would need
 * a cross-slot transaction on Cluster to stay consistent; see {@link RedisKeys#quotaReads}.
 */
public final class RedisQuotaStore implements QuotaStore {
  /** A day of entries plus an hour of slack: a quiet agent's set disappears by itself. */
  static final long TTL_MILLIS = Duration.ofHours(25).toMillis();

  // KEYS[1] zset; ARGV now ms, hour limit (0 = none), day limit, hour ms, day ms, ttl ms, clients...
  // returns {outcome, hour, day}: 0 already counted, 1 counted, 2 over hourly, 3 over daily
  static final LuaScript RECORD =
      new LuaScript(
          "local now = tonumber(ARGV[1])\n"
              + "local hl, dl = tonumber(ARGV[2]), tonumber(ARGV[3])\n"
              + "local hourFrom, dayFrom = now - tonumber(ARGV[4]), now - tonumber(ARGV[5])\n"
              + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', dayFrom)\n"
              + "local hour = redis.call('ZCOUNT', KEYS[1], '(' .. hourFrom, '+inf')\n"
              + "local day = redis.call('ZCARD', KEYS[1])\n"
              + "local newHour, newDay = 0, 0\n"
              + "for i = 7, #ARGV do\n"
              + "  local s = redis.call('ZSCORE', KEYS[1], ARGV[i])\n"
              + "  if not s then newHour = newHour + 1; newDay = newDay + 1\n"
              + "  elseif tonumber(s) <= hourFrom then newHour = newHour + 1 end\n"
              + "end\n"
              + "if hl > 0 and newHour > 0 and hour + newHour > hl then return {2, hour, day} end\n"
              + "if newDay > 0 and day + newDay > dl then return {3, hour, day} end\n"
              + "for i = 7, #ARGV do\n"
              // GT: a later time written by a node whose clock runs ahead is never moved back
              + "  redis.call('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[i])\n"
              + "end\n"
              + "redis.call('PEXPIRE', KEYS[1], ARGV[6])\n"
              + "if newHour == 0 then return {0, hour, day} end\n"
              + "return {1, hour + newHour, day + newDay}\n");

  private final RedisClusterAsyncCommands<String, String> redis;
  private final RedisKeys keys;

  public RedisQuotaStore(RedisConnector connector) {
    this(connector.commands(), connector.keys());
  }

  public RedisQuotaStore(RedisClusterAsyncCommands<String, String> redis, RedisKeys keys) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  @Override
  public CompletionStage<QuotaDecision> recordRead(String agent, String client, Instant now, Limits limits) {
    return record(keys.quotaReads(agent), List.of(client), now, limits);
  }

  @Override
  public CompletionStage<QuotaDecision> recordRequested(String agent, List<String> clients, Instant now, Limits limits) {
    return record(keys.quotaRequested(agent), clients, now, limits);
  }

  @Override
  public CompletionStage<Integer> distinctClientsRead(String agent, Instant now, Duration window) {
    double from = now.toEpochMilli() - window.toMillis();
    return redis
        .zcount(keys.quotaReads(agent), Range.from(Range.Boundary.excluding(from), Range.Boundary.unbounded()))
        .thenApply(Long::intValue);
  }

  private CompletionStage<QuotaDecision> record(String key, List<String> clients, Instant now, Limits limits) {
    String[] args = new String[6 + clients.size()];
    args[0] = Long.toString(now.toEpochMilli());
    args[1] = Integer.toString(limits.perHour());
    args[2] = Integer.toString(limits.perDay());
    args[3] = Long.toString(HOUR.toMillis());
    args[4] = Long.toString(DAY.toMillis());
    args[5] = Long.toString(TTL_MILLIS);
    for (int i = 0; i < clients.size(); i++) {
      args[6 + i] = clients.get(i);
    }
    return RECORD.<List<Long>>run(redis, ScriptOutputType.MULTI, new String[] {key}, args)
        .thenApply(
            r -> {
              QuotaDecision.Outcome o =
                  switch (r.get(0).intValue()) {
                    case 0 -> QuotaDecision.Outcome.ALREADY_COUNTED;
                    case 1 -> QuotaDecision.Outcome.COUNTED;
                    case 2 -> QuotaDecision.Outcome.OVER_HOURLY_LIMIT;
                    default -> QuotaDecision.Outcome.OVER_DAILY_LIMIT;
                  };
              return new QuotaDecision(o, r.get(1).intValue(), r.get(2).intValue());
            });
  }
}
