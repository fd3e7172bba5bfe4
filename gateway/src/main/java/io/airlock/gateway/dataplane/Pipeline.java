package io.airlock.gateway.dataplane;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the data-plane stages are ordered (DESIGN.md "Data plane"). The first stage
 * that refuses answers; a request reaches the {@link Forwarder} only after every stage passed.
 */
public final class Pipeline {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  private final List<Stage> stages;
  private final Forwarder forwarder;
  private final Clock clock;
  private final RequestOutcomes outcomes;
  private final AccessAudit audit;
  private final Cors cors;

  Pipeline(List<Stage> stages, Forwarder forwarder, Clock clock, RequestOutcomes outcomes, AccessAudit audit, Cors cors) {
    this.audit = audit;
    this.cors = cors;
    this.stages = List.copyOf(stages);
    this.forwarder = forwarder;
    this.clock = clock;
    this.outcomes = outcomes;
  }

  /**
   * Connections whose last request was refused with its body unread. Whatever follows on them
   * (a pipelined request hidden in that body, say) is never served: they are closed.
   */
  private final Set<HttpConnection> closing = ConcurrentHashMap.newKeySet();

  void handle(HttpServerRequest request) {
    HttpConnection conn = request.connection();
    if (closing.contains(conn)) {
      request.response().reset();
      conn.close();
      return;
    }
    if (cors.handle(request)) {
      return;
    }
    // nothing is read from the agent until every check passed
    request.pause();
    String remote = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    Exchange start = Exchange.start(newRequestId(), request, remote, clock.instant());
    long t0 = System.nanoTime();
    // the newest exchange a stage accepted, so a refusal is still tagged with its route
    Exchange[] last = {start};
    Future<Exchange> f = Future.succeededFuture(start);
    for (Stage s : stages) {
      f =
          f.compose(
              ex -> {
                last[0] = ex;
                return s.apply(ex);
              });
    }
    boolean[] forwarded = {false};
    f.compose(
            ex -> {
              last[0] = ex;
              forwarded[0] = true;
              return forwarder.forward(ex);
            })
        .onComplete(
            ar -> {
              long nanos = System.nanoTime() - t0;
              for (Stage s : stages) {
                s.completed(start.requestId());
              }
              if (ar.succeeded()) {
                Forwarder.Sent sent = ar.result();
                outcomes.record(last[0], sent.status(), null, nanos);
                audit.completed(last[0], sent.status(), sent.bytes(), sent.cut(), nanos);
                return;
              }
              Throwable err = ar.cause();
              Denied d;
              if (err instanceof Denied) {
                d = (Denied) err;
              } else {
                log.error("request {} failed unexpectedly", start.requestId(), err);
                d = new Denied(Reason.INTERNAL_ERROR, "internal error; quote request id " + start.requestId());
              }
              // an unread request body would desynchronise the connection: answer, then close
              boolean unreadBody = hasBody(request) && !request.isEnded();
              if (unreadBody) {
                closing.add(conn);
                conn.closeHandler(v -> closing.remove(conn));
              }
              ErrorResponder.send(request.response(), d.reason(), d.getMessage(), start.requestId(), unreadBody)
                  .onComplete(
                      v -> {
                        if (unreadBody) {
                          conn.close();
                        }
                      });
              int status = ErrorResponder.status(d.reason());
              outcomes.record(last[0], status, d, nanos);
              if (forwarded[0]) {
                // the access record exists: close it with what happened
                audit.completed(last[0], status, -1, d.reason() == Reason.GRANT_REVOKED, nanos);
              } else {
                audit.denied(last[0], d, status);
              }
            });
  }

  private static boolean hasBody(HttpServerRequest request) {
    String cl = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (cl != null && !cl.equals("0"));
  }

  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE).substring(0, 8);
  }
}
