package io.airlock.gateway.store.redis;

import io.airlock.gateway.audit.AuditFeed;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors durable audit records of every node into one capped Redis stream ({@code
 * <prefix>audit}, {@code XADD MAXLEN ~ N}) so security sees the whole cluster's trail live. A
 * failed push is logged, never retried inline: the file on disk is the record of truth.
 */
public final class RedisAuditFeed implements AuditFeed {
  private static final Logger log = LoggerFactory.getLogger(RedisAuditFeed.class);
  private final RedisConnector redis;
  private final String key;
  private final long maxLength;

  public RedisAuditFeed(RedisConnector redis, long maxLength) {
    this.redis = redis;
    this.key = redis.keys().prefix() + "audit";
    this.maxLength = maxLength;
  }

  @Override
  public void mirror(String recordJson) {
    redis
        .commands()
        .xadd(key, new XAddArgs().maxlen(maxLength).approximateTrimming(), Map.of("r", recordJson))
        .whenComplete(
            (id, err) -> {
              if (err != null) {
                log.debug("audit stream push failed (the file on disk has the record): {}", err.toString());
              }
            });
  }

  @Override
  public CompletionStage<List<JsonObject>> recent(int limit, Predicate<JsonObject> filter) {
    // read a wider window than asked so that filtering still fills the page
    return redis
        .commands()
        .xrevrange(key, Range.create("-", "+"), Limit.from(Math.min(10_000, limit * 20L)))
        .thenApply(
            messages -> {
              List<JsonObject> out = new ArrayList<>();
              for (StreamMessage<String, String> m : messages) {
                if (out.size() >= limit) {
                  break;
                }
                String json = m.getBody().get("r");
                if (json != null) {
                  JsonObject r = new JsonObject(json);
                  if (filter.test(r)) {
                    out.add(r);
                  }
                }
              }
              return out;
            });
  }
}
