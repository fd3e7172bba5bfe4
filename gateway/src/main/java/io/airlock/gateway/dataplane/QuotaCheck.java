package io.airlock.gateway.dataplane;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.airlock.gateway.insider.Alarms;
import io.airlock.policy.config.QuotaPolicy;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.port.QuotaDecision;
import io.airlock.policy.port.QuotaStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Step 7: honey records and quotas on distinct clients.
 *
 * <p>A honey client (a record no legitimate work touches, listed in policy.yaml) is refused
 * exactly as a client outside the grant is, same code and message, and the agent is suspended on
 * every node and security alerted. Over the quota: 403 {@code quota_exceeded}, suspension, alert.
 *
 * <p>The count is exact and shared (the {@link QuotaStore} checks and records atomically). A
 * client this node already recorded for the agent within {@link #RECENT} is let through without
 * asking the store again: the stored time is then up to that much older than the true last read,
 * which can only make the client leave the hourly window early and be counted again (stricter),
 * never counted less.
 */
final class QuotaCheck implements Stage {
  static final Duration RECENT = Duration.ofSeconds(30);

  private final QuotaStore store;
  private final QuotaStore.Limits limits;
  private final Set<String> honey;
  private final Alarms alarms;
  private final Clock clock;
  private final Cache<String, Boolean> recent =
      Caffeine.newBuilder().expireAfterWrite(RECENT).maximumSize(100_000).build();

  QuotaCheck(QuotaStore store, QuotaPolicy quotas, Set<String> honey, Alarms alarms, Clock clock) {
    this.store = store;
    this.limits = new QuotaStore.Limits(quotas.clientsPerHour(), quotas.clientsPerDay());
    this.honey = Set.copyOf(honey);
    this.alarms = alarms;
    this.clock = clock;
  }

  @Override
  public Future<Exchange> apply(Exchange ex) {
    String agent = ex.grant().agent();
    String client = ex.match().clientId();
    if (honey.contains(client)) {
      alarms.suspend(
          Alarms.Kind.HONEY_READ,
          agent,
          Map.of("client", client, "ticket", ex.grant().ticket(), "grant", ex.grant().jti(), "readRequestId", ex.requestId()));
      // word for word ScopeCheck's refusal: nothing tells the agent this record was special
      return Future.failedFuture(new Denied(Reason.OUT_OF_SCOPE, "grant does not cover client " + client));
    }
    String key = agent + "\0" + client;
    if (recent.getIfPresent(key) != null) {
      return Future.succeededFuture(ex);
    }
    Context ctx = Vertx.currentContext();
    var stage = store.recordRead(agent, client, clock.instant(), limits);
    Future<QuotaDecision> decided = ctx == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, ctx);
    return decided
        .recover(err -> Future.failedFuture(new Denied(Reason.QUOTA_UNAVAILABLE, "quota store unavailable: " + err.getMessage())))
        .compose(
            d -> {
              if (d.allowed()) {
                recent.put(key, Boolean.TRUE);
                return Future.succeededFuture(ex);
              }
              String window = d.outcome() == QuotaDecision.Outcome.OVER_HOURLY_LIMIT ? "hour" : "24 hours";
              int limit = d.outcome() == QuotaDecision.Outcome.OVER_HOURLY_LIMIT ? limits.perHour() : limits.perDay();
              alarms.suspend(
                  Alarms.Kind.QUOTA_EXCEEDED,
                  agent,
                  Map.of(
                      "client", client,
                      "window", window,
                      "limit", Integer.toString(limit),
                      "clientsLastHour", Integer.toString(d.clientsLastHour()),
                      "clientsLastDay", Integer.toString(d.clientsLastDay()),
                      "grant", ex.grant().jti(),
                      "readRequestId", ex.requestId()));
              return Future.failedFuture(
                  new Denied(Reason.QUOTA_EXCEEDED, "quota exceeded: at most " + limit + " distinct clients per " + window));
            });
  }
}
