package io.airlock.gateway.store.redis;

import io.airlock.gateway.audit.AuditFeed;
import io.airlock.gateway.audit.AuditScan;
import io.airlock.gateway.audit.AuditSearches;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors durable audit records of every node into one capped Redis stream ({@code
 * <prefix>audit}, {@code XADD MAXLEN ~ N}) so security sees the whole cluster's trail live. A
 * failed push is logged, never retried inline: the file on disk is the record of truth.
 *
 * <p>An answer pages backwards through the stream in bounded batches ({@code XREVRANGE} from just
 * below the oldest entry seen) until {@link AuditScan} has enough: a rare record type is found
 * however many common ones were written after it, up to {@link AuditFeed#SCAN_CAP} entries. Each
 * batch is parsed and filtered on {@link AuditSearches}' pool, never on Lettuce's I/O thread: that
 * thread also serves the node's revocation freshness check on the same connection, and a late
 * check makes the node fail closed.
 */
public final class RedisAuditFeed implements AuditFeed {
  private static final Logger log = LoggerFactory.getLogger(RedisAuditFeed.class);
  private final RedisConnector redis;
  private final String key;
  private final long maxLength;
  private final long scanCap;
  private final AuditSearches searches = new AuditSearches();

  /** The first read is small (a page of the newest records is the common question), then grows to this. */
  private static final int FIRST_BATCH = 200;
  private static final int MAX_BATCH = 4_096;

  public RedisAuditFeed(RedisConnector redis, long maxLength) {
    this(redis, maxLength, SCAN_CAP);
  }

  /** @param scanCap stream entries one answer examines at most (tests make it small) */
  public RedisAuditFeed(RedisConnector redis, long maxLength, long scanCap) {
    this.redis = redis;
    this.key = redis.keys().prefix() + "audit";
    this.maxLength = maxLength;
    this.scanCap = scanCap;
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
  public CompletionStage<Answer> recent(Query query) {
    return searches.admit(workers -> olderThan(Range.Boundary.unbounded(), new AuditScan(query, scanCap), FIRST_BATCH, workers));
  }

  /** One batch of entries older than {@code newestExcluded}, then the next, until the scan is over. */
  private CompletionStage<Answer> olderThan(
      Range.Boundary<String> newestExcluded, AuditScan scan, int batch, Executor workers) {
    int count = (int) Math.min(batch, scan.budget());
    return redis
        .commands()
        .xrevrange(key, Range.from(Range.Boundary.unbounded(), newestExcluded), Limit.from(count))
        .thenComposeAsync(
            messages -> {
              for (StreamMessage<String, String> m : messages) {
                String json = m.getBody().get("r");
                if (json != null && !scan.offer(json)) {
                  return CompletableFuture.completedFuture(scan.answer());
                }
              }
              if (messages.size() < count) {
                return CompletableFuture.completedFuture(scan.answer()); // the whole stream was read
              }
              String oldestId = messages.get(messages.size() - 1).getId();
              return olderThan(Range.Boundary.excluding(oldestId), scan, Math.min(batch * 2, MAX_BATCH), workers);
            },
            workers);
  }
}
