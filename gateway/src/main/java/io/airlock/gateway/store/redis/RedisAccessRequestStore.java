package io.airlock.gateway.store.redis;

import static io.airlock.gateway.store.redis.RedisKeys.F_JSON;
import static io.airlock.gateway.store.redis.RedisKeys.F_REQUEST;

import io.airlock.gateway.store.AccessRequestJson;
import io.airlock.gateway.store.StoreOrder;
import io.airlock.policy.port.AccessRequestStore;
import io.airlock.policy.request.AccessRequest;
import io.airlock.policy.request.IssuedGrantRecord;
import io.airlock.policy.request.RequestState;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * Access requests in Redis, shared by every node. Layout and the reasoning that makes it safe on
 * Cluster: {@link RedisKeys}. In short, the record hash is the truth and the only key a
 * compare-and-swap touches; indexes are grown before and shrunk after it, and reads filter by the
 * record.
 *
 * <p>Stages complete on Lettuce's I/O thread; the work done there is JSON parsing and sorting a
 * page of records, nothing that waits.
 */
public final class RedisAccessRequestStore implements AccessRequestStore {
  // KEYS[1] request hash; ARGV json, version. 1 = created, 0 = the id exists
  private static final LuaScript CREATE =
      new LuaScript(
          "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
              + "redis.call('HSET', KEYS[1], 'json', ARGV[1], 'version', ARGV[2])\n"
              + "return 1\n");

  // KEYS[1] request hash; ARGV expected version, json, next version.
  // 1 = swapped, 0 = another version is stored, -1 = no such request
  private static final LuaScript SWAP =
      new LuaScript(
          "local v = redis.call('HGET', KEYS[1], 'version')\n"
              + "if not v then return -1 end\n"
              + "if v ~= ARGV[1] then return 0 end\n"
              + "redis.call('HSET', KEYS[1], 'json', ARGV[2], 'version', ARGV[3])\n"
              + "return 1\n");

  // KEYS[1] grant hash; ARGV request id, expiry, key expiry (epoch ms). One step, so it never lives without TTL
  private static final LuaScript INDEX_GRANT =
      new LuaScript(
          "redis.call('HSET', KEYS[1], 'req', ARGV[1], 'exp', ARGV[2])\n"
              + "redis.call('PEXPIREAT', KEYS[1], ARGV[3])\n"
              + "return 1\n");

  private final RedisClusterAsyncCommands<String, String> redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final Duration revocableAfterExpiry;

  /** @param revocableAfterExpiry how long past its exp {@link #byGrant} still finds a grant ({@code GrantsConfig}) */
  public RedisAccessRequestStore(RedisConnector connector, Clock clock, Duration revocableAfterExpiry) {
    this(connector.commands(), connector.keys(), clock, revocableAfterExpiry);
  }

  /** With keys other than the connector's prefix: several isolated stores on one connection. */
  public RedisAccessRequestStore(
      RedisClusterAsyncCommands<String, String> redis, RedisKeys keys, Clock clock, Duration revocableAfterExpiry) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.revocableAfterExpiry = Objects.requireNonNull(revocableAfterExpiry, "revocableAfterExpiry");
  }

  @Override
  public CompletionStage<Void> create(AccessRequest request) {
    if (request.version() != 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("a new access request has version 0, not " + request.version()));
    }
    String json = AccessRequestJson.write(request);
    double score = request.createdAt().toEpochMilli();
    String id = request.id();
    // NX: a create that loses to an existing id must not move that request in the indexes
    ZAddArgs nx = ZAddArgs.Builder.nx();
    List<CompletionStage<?>> indexes = new ArrayList<>();
    indexes.add(redis.zadd(keys.recent(), nx, score, id));
    indexes.add(redis.zadd(keys.byRequester(request.requester()), nx, score, id));
    if (request.state() == RequestState.PENDING) {
      indexes.add(redis.zadd(keys.pending(), nx, score, id));
    }
    request.grant().ifPresent(g -> indexes.add(indexGrant(id, g)));
    return all(indexes)
        .thenCompose(
            x ->
                CREATE.<Long>run(
                    redis, ScriptOutputType.INTEGER, new String[] {keys.request(id)}, json, "0"))
        .thenApply(
            created -> {
              if (created != 1L) {
                throw new IllegalStateException("access request " + id + " already exists");
              }
              return null;
            });
  }

  @Override
  public CompletionStage<Optional<AccessRequest>> get(String id) {
    return redis
        .hget(keys.request(id), F_JSON)
        .thenApply(json -> Optional.ofNullable(json).map(AccessRequestJson::read));
  }

  @Override
  public CompletionStage<Boolean> compareAndSet(long expectedVersion, AccessRequest next) {
    if (next.version() != expectedVersion + 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "next version must be " + (expectedVersion + 1) + ", not " + next.version()));
    }
    String json = AccessRequestJson.write(next);
    String id = next.id();
    // grown before the swap; a lost race leaves an entry for a jti no record carries, which
    // reads skip and expiry removes (deleting it here could hit a retry of the winning write)
    CompletionStage<?> before =
        next.grant().<CompletionStage<?>>map(g -> indexGrant(id, g)).orElse(done());
    return before
        .thenCompose(
            x ->
                SWAP.<Long>run(
                    redis,
                    ScriptOutputType.INTEGER,
                    new String[] {keys.request(id)},
                    Long.toString(expectedVersion),
                    json,
                    Long.toString(next.version())))
        .thenCompose(
            swapped -> {
              if (swapped != 1L) {
                return CompletableFuture.completedFuture(false);
              }
              if (next.state() == RequestState.PENDING) {
                return CompletableFuture.completedFuture(true);
              }
              // the record already says it is decided: if this fails, readers skip the entry
              return redis.zrem(keys.pending(), id).handle((n, e) -> true);
            });
  }

  @Override
  public CompletionStage<List<AccessRequest>> pending() {
    return redis
        .zrange(keys.pending(), 0, -1)
        .thenCompose(this::load)
        .thenApply(
            loaded -> {
              List<AccessRequest> out = new ArrayList<>();
              List<String> decided = new ArrayList<>();
              for (AccessRequest r : loaded) {
                if (r.state() == RequestState.PENDING) {
                  out.add(r);
                } else {
                  decided.add(r.id());
                }
              }
              // only decided ones: a missing record may be a create between its two steps
              if (!decided.isEmpty()) {
                redis.zrem(keys.pending(), decided.toArray(String[]::new));
              }
              out.sort(StoreOrder.OLDEST_FIRST);
              return out;
            });
  }

  @Override
  public CompletionStage<List<AccessRequest>> byRequester(String requester, int limit) {
    return newest(keys.byRequester(requester), limit, r -> r.requester().equals(requester));
  }

  @Override
  public CompletionStage<List<AccessRequest>> recent(int limit) {
    return newest(keys.recent(), limit, r -> true);
  }

  private CompletionStage<List<AccessRequest>> newest(
      String index, int limit, Predicate<AccessRequest> keep) {
    if (limit <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    return redis
        .zrevrange(index, 0, limit - 1)
        .thenCompose(this::load)
        .thenApply(loaded -> sorted(loaded, keep, StoreOrder.NEWEST_FIRST));
  }

  @Override
  public CompletionStage<List<AccessRequest>> activeGrants(Instant now) {
    Instant wall = clock.instant();
    Instant cutoff = now.isBefore(wall) ? now : wall;
    // prune entries expired both for the caller and for the clock; results do not wait for it
    redis.zremrangebyscore(
        keys.activeGrants(), Range.create(Double.NEGATIVE_INFINITY, cutoff.toEpochMilli() - 1));
    return redis
        .zrangebyscore(
            keys.activeGrants(),
            Range.create((double) now.toEpochMilli(), Double.POSITIVE_INFINITY),
            Limit.unlimited())
        .thenCompose(
            jtis -> {
              List<CompletableFuture<Optional<AccessRequest>>> found = new ArrayList<>();
              for (String jti : jtis) {
                found.add(issuedBy(jti).toCompletableFuture());
              }
              return all(found)
                  .thenApply(
                      x -> {
                        List<AccessRequest> out = new ArrayList<>();
                        for (var f : found) {
                          f.join()
                              .filter(r -> r.grant().get().expiresAt().isAfter(now))
                              .ifPresent(out::add);
                        }
                        out.sort(StoreOrder.SOONEST_EXPIRY_FIRST);
                        return out;
                      });
            });
  }

  /** Found until exp + revocableAfterExpiry: a grant some node still accepts must stay revocable. */
  @Override
  public CompletionStage<Optional<AccessRequest>> byGrant(String jti) {
    return issuedBy(jti)
        .thenApply(r -> r.filter(x -> x.grant().get().expiresAt().plus(revocableAfterExpiry).isAfter(clock.instant())));
  }

  /** The approved request whose grant is {@code jti}, per the grant index checked against the record. */
  private CompletionStage<Optional<AccessRequest>> issuedBy(String jti) {
    return redis
        .hget(keys.grant(jti), F_REQUEST)
        .thenCompose(
            id ->
                id == null
                    ? CompletableFuture.completedFuture(Optional.<AccessRequest>empty())
                    : get(id))
        .thenApply(
            r ->
                r.filter(
                    x ->
                        x.state() == RequestState.APPROVED
                            && x.grant().get().jti().equals(jti)));
  }

  private CompletionStage<?> indexGrant(String requestId, IssuedGrantRecord g) {
    long exp = g.expiresAt().toEpochMilli();
    return all(
        List.of(
            redis.zadd(keys.activeGrants(), (double) exp, g.jti()),
            INDEX_GRANT.run(
                redis,
                ScriptOutputType.INTEGER,
                new String[] {keys.grant(g.jti())},
                requestId,
                Long.toString(exp),
                Long.toString(exp + revocableAfterExpiry.toMillis()))));
  }

  /** Records for {@code ids}, pipelined; ids without a record are skipped. */
  private CompletionStage<List<AccessRequest>> load(List<String> ids) {
    List<CompletableFuture<String>> reads = new ArrayList<>(ids.size());
    for (String id : ids) {
      reads.add(redis.hget(keys.request(id), F_JSON).toCompletableFuture());
    }
    return all(reads)
        .thenApply(
            x -> {
              List<AccessRequest> out = new ArrayList<>(reads.size());
              for (var f : reads) {
                String json = f.join();
                if (json != null) {
                  out.add(AccessRequestJson.read(json));
                }
              }
              return out;
            });
  }

  private static List<AccessRequest> sorted(
      List<AccessRequest> loaded, Predicate<AccessRequest> keep, Comparator<AccessRequest> order) {
    List<AccessRequest> out = new ArrayList<>();
    for (AccessRequest r : loaded) {
      if (keep.test(r)) {
        out.add(r);
      }
    }
    out.sort(order);
    return out;
  }

  private static CompletionStage<Void> all(List<? extends CompletionStage<?>> stages) {
    return CompletableFuture.allOf(
        stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new));
  }

  private static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }
}
