package io.airlock.gateway.insider;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.airlock.gateway.audit.AuditLog;
import io.airlock.gateway.audit.AuditTypes;
import io.airlock.policy.port.EventBus;
import io.airlock.policy.port.RevocationStore;
import io.airlock.policy.port.StoreEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security's tripwires going off: an audit record ({@code security.alert}), an event on the bus
 * for security's live view, and, for the alarms that warrant it, the agent suspended on every
 * node through the shared revocation store.
 *
 * <p>The event names the agent as {@code suspect}, never {@code agent} or {@code requester}: the
 * live feed shows an agent their own events, and an insider must not learn they tripped a honey
 * record. It carries no {@code teams} either, so managers (who could be in on it) do not see it.
 */
public final class Alarms {
  private static final Logger log = LoggerFactory.getLogger(Alarms.class);

  /** Why the alarm went off; the code is in the audit record and the event. */
  public enum Kind {
    QUOTA_EXCEEDED("quota_exceeded"),
    HONEY_READ("honey_read"),
    HONEY_REQUESTED("honey_requested"),
    REQUESTED_QUOTA_EXCEEDED("requested_quota_exceeded");

    public final String code;

    Kind(String code) {
      this.code = code;
    }
  }

  private final RevocationStore revocations;
  private final EventBus bus;
  private final AuditLog audit;
  private final String nodeId;
  // a burst of refused reads is one incident, not a hundred alerts (each read is still refused
  // and, rate-limited, audited as a denial by the data plane)
  private final Cache<String, Boolean> recentlyAlerted =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(30)).maximumSize(100_000).build();

  public Alarms(RevocationStore revocations, EventBus bus, AuditLog audit, String nodeId) {
    this.revocations = revocations;
    this.bus = bus;
    this.audit = audit;
    this.nodeId = nodeId;
  }

  /** Alerts security; nothing is refused or suspended. */
  public void alert(Kind kind, String agent, Map<String, String> details) {
    record(kind, agent, details, false);
  }

  /**
   * Suspends {@code agent} on every node and alerts security. Completes once the store confirmed
   * the suspension (or failed: the alert says so, and the caller has refused the request anyway).
   */
  public CompletionStage<Void> suspend(Kind kind, String agent, Map<String, String> details) {
    // suspending again is harmless and cheap, and security may have resumed the agent meanwhile
    return revocations
        .suspend(agent)
        .handle(
            (v, err) -> {
              Map<String, String> d = new HashMap<>(details);
              if (err != null) {
                d.put("suspension", "FAILED: " + err.getMessage());
                log.error("SECURITY: could not suspend {} after {}: {}", agent, kind.code, err.toString());
              } else {
                d.put("suspension", "applied on every node");
              }
              record(kind, agent, d, true);
              return null;
            });
  }

  private void record(Kind kind, String agent, Map<String, String> details, boolean suspended) {
    String incident = agent + "\0" + kind + "\0" + details.getOrDefault("requestId", "");
    if (recentlyAlerted.asMap().putIfAbsent(incident, Boolean.TRUE) != null) {
      return;
    }
    log.warn("SECURITY ALERT {}: agent {} {} {}", kind.code, agent, suspended ? "SUSPENDED" : "(not suspended)", details);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("alert", kind.code);
    fields.put("agent", agent);
    fields.put("suspended", suspended);
    fields.putAll(details);
    audit.append(AuditTypes.SECURITY_ALERT, fields)
        .onFailure(e -> log.error("AUDIT: could not record security alert {} for {}: {}", kind.code, agent, e.toString()));
    Map<String, String> attrs = new HashMap<>(details);
    attrs.put("alert", kind.code);
    attrs.put("suspect", agent);
    attrs.put("suspended", Boolean.toString(suspended));
    attrs.put("node", nodeId);
    bus.publish(new StoreEvent(AuditTypes.SECURITY_ALERT, attrs));
  }
}
