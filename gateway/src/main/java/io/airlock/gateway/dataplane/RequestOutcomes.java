package io.airlock.gateway.dataplane;

import io.airlock.policy.decision.Denied;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metrics and the structured access log for every data-plane request, tagged with the same
 * reason codes the error body and the audit trail use.
 */
final class RequestOutcomes {
  private static final Logger accessLog = LoggerFactory.getLogger("airlock.access");

  private final MeterRegistry registry;
  private final boolean accessLogEnabled;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  RequestOutcomes(MeterRegistry registry, boolean accessLogEnabled) {
    this.registry = registry;
    this.accessLogEnabled = accessLogEnabled;
  }

  void record(Exchange ex, int status, Denied denied, long nanos) {
    String outcome = denied == null ? "forwarded" : denied.reason().code();
    String route = ex.routeId();
    timers
        .computeIfAbsent(
            route + '\u0000' + outcome,
            k ->
                Timer.builder("airlock.dataplane.requests")
                    .description("Data-plane requests by route and outcome (forwarded or the refusal reason)")
                    .tag("route", route)
                    .tag("outcome", outcome)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
    if (accessLogEnabled && accessLog.isInfoEnabled()) {
      JsonObject line =
          new JsonObject()
              .put("ts", ex.startedAt().toString())
              .put("requestId", ex.requestId())
              .put("remote", ex.clientAddress())
              .put("method", ex.request().method().name())
              .put("path", ex.path() == null ? null : ex.path().path())
              .put("route", route)
              .put("agent", ex.grant() == null ? null : ex.grant().agent())
              .put("ticket", ex.grant() == null ? null : ex.grant().ticket())
              .put("client", ex.match() == null ? null : ex.match().clientId())
              .put("status", status)
              .put("outcome", outcome)
              .put("durationMs", nanos / 1_000_000.0);
      accessLog.info(line.encode());
    }
  }
}
