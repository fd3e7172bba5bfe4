package io.airlock.gateway.dataplane;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.grant.Grant;
import io.airlock.policy.revocation.RevocationSnapshot;
import io.vertx.core.Context;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exchanges whose response is streaming right now. When revocation state changes, every one
 * whose grant the new state kills is cut on its own event loop: the agent's connection is reset
 * (never a body that looks complete) and the backend request abandoned.
 */
public final class InFlight {
  private static final Logger log = LoggerFactory.getLogger(InFlight.class);

  /** One streaming exchange and how to cut it. */
  interface Cuttable {
    Grant grant();

    Context context();

    /** @param why the snapshot's reason, which the agent is told if nothing was sent yet */
    void cut(Denied why);
  }

  private final Set<Cuttable> active = ConcurrentHashMap.newKeySet();

  void add(Cuttable c) {
    active.add(c);
  }

  void remove(Cuttable c) {
    active.remove(c);
  }

  public int size() {
    return active.size();
  }

  /** Cuts every exchange the snapshot denies; returns how many were cut. */
  public int sweep(RevocationSnapshot snapshot) {
    AtomicInteger cut = new AtomicInteger();
    for (Cuttable c : active) {
      // staleness is not a reason to cut what already passed; only a kill is
      Denied d = snapshot.killed(c.grant());
      if (d != null) {
        if (active.remove(c)) {
          cut.incrementAndGet();
          log.info("cut in-flight exchange of agent {} grant {}: {}", c.grant().agent(), c.grant().jti(), d.getMessage());
          c.context().runOnContext(v -> c.cut(d));
        }
      }
    }
    return cut.get();
  }
}
