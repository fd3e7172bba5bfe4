package io.airlock.gateway.dataplane;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.airlock.gateway.audit.AuditLog;
import io.airlock.gateway.audit.AuditShape;
import io.airlock.gateway.audit.AuditTypes;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Grant;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Step 8 and the audit side of step 11. The access record is durable (in {@code sync}
 * durability) before the request is forwarded, so no byte of client data leaves without its
 * trace; an audit log that cannot write makes the data plane refuse (503), never skip it.
 */
final class AccessAudit implements Stage {
  /** Refusals recorded per agent (or address) per minute; the rest are counted, not written. */
  static final int DENIALS_PER_MINUTE = 60;

  private final AuditLog log;
  private final Cache<String, AtomicInteger> denials =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).maximumSize(100_000).build();

  AccessAudit(AuditLog log) {
    this.log = log;
  }

  // every request writes an access and a completion record: shapes, not maps, on the event loop
  private static final String[] BASE = {"requestId", "agent", "client", "method", "path"};
  private static final AuditShape ACCESS =
      shape("ticket", "grant", "approvers", "grantRequest", "route", "masking", "unmasked", "query");
  private static final AuditShape COMPLETION = shape("grant", "status", "bytes", "cut", "durationMs");
  private static final AuditShape DENIED = shape("remote", "error", "status", "message");
  private static final AuditShape DENIED_LAST = shape("remote", "error", "status", "message", "note");

  @Override
  public Future<Exchange> apply(Exchange ex) {
    Grant g = ex.grant();
    AuditShape.Fields f = base(ACCESS, ex);
    f.put("ticket", g.ticket());
    f.put("grant", g.jti());
    f.put("approvers", g.approvers());
    f.put("grantRequest", g.requestId());
    f.put("route", ex.match().route().id());
    f.put("masking", ex.match().route().maskingProfile().orElse(null));
    List<String> unmask = new ArrayList<>();
    g.unmask().forEach(c -> unmask.add(c.code()));
    unmask.sort(null);
    f.put("unmasked", unmask);
    // forwarded as sent, and it can choose what the backend returns (?fields=ssn, ?format=json)
    f.put("query", ex.path().rawQuery());
    return log.append(AuditTypes.ACCESS, f)
        .recover(err -> Future.failedFuture(new Denied(Reason.AUDIT_UNAVAILABLE, "audit log unavailable: " + err.getMessage())))
        .map(receipt -> ex);
  }

  /** The completion record of a forwarded exchange. Best effort: the bytes already left. */
  void completed(Exchange ex, int status, long bytes, boolean cut, long nanos) {
    AuditShape.Fields f = base(COMPLETION, ex);
    f.put("grant", ex.grant() == null ? null : ex.grant().jti());
    f.put("status", status);
    f.put("bytes", bytes);
    f.put("cut", cut);
    f.put("durationMs", nanos / 1_000_000.0);
    log.append(AuditTypes.COMPLETION, f);
  }

  /** A refusal, rate-limited per agent (or per address before a grant is known). */
  void denied(Exchange ex, Denied d, int status) {
    String who = ex.grant() != null ? "agent:" + ex.grant().agent() : "addr:" + ex.clientAddress();
    int n = denials.get(who, k -> new AtomicInteger()).incrementAndGet();
    if (n > DENIALS_PER_MINUTE) {
      return;
    }
    AuditShape.Fields f = base(n == DENIALS_PER_MINUTE ? DENIED_LAST : DENIED, ex);
    f.put("remote", ex.clientAddress());
    f.put("error", d.reason().code());
    f.put("status", status);
    f.put("message", d.getMessage());
    if (n == DENIALS_PER_MINUTE) {
      f.put("note", "further refusals for " + who + " are not recorded for the rest of this minute");
    }
    log.append(AuditTypes.DENIED, f);
  }

  private static AuditShape shape(String... names) {
    String[] all = Arrays.copyOf(BASE, BASE.length + names.length);
    System.arraycopy(names, 0, all, BASE.length, names.length);
    return new AuditShape(all);
  }

  private static AuditShape.Fields base(AuditShape shape, Exchange ex) {
    AuditShape.Fields f = shape.fields();
    f.put("requestId", ex.requestId());
    f.put("agent", ex.grant() == null ? null : ex.grant().agent());
    f.put("client", ex.match() == null ? null : ex.match().clientId());
    f.put("method", ex.request().method().name());
    f.put("path", ex.path() == null ? truncate(ex.request().uri()) : ex.path().path());
    return f;
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 256 ? s : s.substring(0, 256) + "...";
  }
}
