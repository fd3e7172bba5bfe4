package io.airlock.gateway.controlplane;

import io.airlock.gateway.revocation.RevocationSync;
import io.airlock.policy.port.RevocationStore;
import io.airlock.policy.port.RevocationStore.NodeStatus;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.airlock.policy.staff.StaffId;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security's emergency controls: kill-all, lockdown, suspend/resume, status. A kill-all answers
 * only after the store confirmed the new epoch (503 otherwise), and then as soon as every live
 * node acknowledged it, or after {@link #ACK_WAIT} with the count that did.
 */
public final class KillSwitchRoutes {
  private static final Logger log = LoggerFactory.getLogger(KillSwitchRoutes.class);
  static final Duration ACK_WAIT = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final RevocationStore store;
  private final RevocationSync sync;
  private final Clock clock;
  private final Duration liveWithin;
  private final Consumer<ControlEvent> events;

  /** Something security did, for the audit log and the event stream. */
  public record ControlEvent(String type, Staff actor, JsonObject details) {}

  public KillSwitchRoutes(
      Vertx vertx, RevocationStore store, RevocationSync sync, Clock clock, Duration maxStaleness, Consumer<ControlEvent> events) {
    this.vertx = vertx;
    this.store = store;
    this.sync = sync;
    this.clock = clock;
    // a node that missed three confirmation rounds is not counted as live
    this.liveWithin = maxStaleness.multipliedBy(3);
    this.events = events;
  }

  public void mount(Router router) {
    router.post("/api/kill-all").handler(ctx -> run(ctx, this::killAll));
    router.post("/api/lockdown/lift").handler(ctx -> run(ctx, this::liftLockdown));
    router.post("/api/agents/:id/suspend").handler(ctx -> run(ctx, c -> agent(c, true)));
    router.post("/api/agents/:id/resume").handler(ctx -> run(ctx, c -> agent(c, false)));
    router.get("/api/status").handler(ctx -> run(ctx, this::status));
  }

  private interface Action {
    Future<JsonObject> apply(RoutingContext ctx);
  }

  private void run(RoutingContext ctx, Action action) {
    Future<JsonObject> f;
    try {
      StaffContext.require(ctx, Role.SECURITY);
      f = action.apply(ctx);
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(body.encode()))
        .onFailure(err -> ApiError.render(ctx, err));
  }

  private Future<JsonObject> killAll(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx, Set.of("reason", "lockdown"));
    String reason = JsonBodies.string(body, "reason", true);
    if (reason.isBlank()) {
      throw ApiError.badRequest("reason", "must not be blank");
    }
    boolean lockdown = JsonBodies.bool(body, "lockdown", false);
    Staff actor = StaffContext.staff(ctx);
    long t0 = System.nanoTime();
    // epochs never fall below wall-clock millis, so grants minted offline before now die too
    return stored(store.killAll(Math.max(sync.epoch(), clock.millis()), lockdown), "kill-all")
        .compose(
            epoch -> {
              log.warn("KILL-ALL by {} (lockdown={}): epoch now {}; reason: {}", actor.id(), lockdown, epoch, reason);
              return awaitAcks(epoch)
                  .map(
                      acks -> {
                        JsonObject result =
                            new JsonObject()
                                .put("epoch", epoch)
                                .put("lockdown", lockdown)
                                .put("acknowledged", acks[0] + "/" + acks[1])
                                .put("elapsedMs", (System.nanoTime() - t0) / 1_000_000.0);
                        events.accept(new ControlEvent("kill_all", actor, result.copy().put("reason", reason)));
                        return result;
                      });
            });
  }

  /** Polls node acknowledgements until all live nodes reached {@code epoch}: [acked, live]. */
  private Future<int[]> awaitAcks(long epoch) {
    Promise<int[]> done = Promise.promise();
    Instant deadline = clock.instant().plus(ACK_WAIT);
    poll(epoch, deadline, done);
    return done.future();
  }

  private void poll(long epoch, Instant deadline, Promise<int[]> done) {
    Future.fromCompletionStage(store.nodes(clock.instant(), liveWithin), vertx.getOrCreateContext())
        .onComplete(
            ar -> {
              int[] counts = {0, 0};
              if (ar.succeeded()) {
                List<NodeStatus> nodes = ar.result();
                counts[1] = nodes.size();
                counts[0] = (int) nodes.stream().filter(n -> n.acknowledgedEpoch() >= epoch).count();
              }
              boolean all = ar.succeeded() && counts[0] == counts[1] && counts[1] > 0;
              if (all || !clock.instant().isBefore(deadline)) {
                done.tryComplete(counts);
              } else {
                vertx.setTimer(1, id -> poll(epoch, deadline, done));
              }
            });
  }

  private Future<JsonObject> liftLockdown(RoutingContext ctx) {
    JsonBodies.object(ctx, Set.of());
    Staff actor = StaffContext.staff(ctx);
    return stored(store.liftLockdown(), "lockdown lift")
        .map(
            v -> {
              log.warn("lockdown lifted by {}", actor.id());
              JsonObject r = new JsonObject().put("lockdown", false);
              events.accept(new ControlEvent("lockdown_lifted", actor, r.copy()));
              return r;
            });
  }

  private Future<JsonObject> agent(RoutingContext ctx, boolean suspend) {
    JsonObject body = JsonBodies.object(ctx, Set.of("reason"));
    String reason = JsonBodies.string(body, "reason", false);
    String agent =
        StaffId.normalize(ctx.pathParam("id")).orElseThrow(() -> ApiError.badRequest("id", "is not a valid staff id"));
    Staff actor = StaffContext.staff(ctx);
    CompletionStage<Void> op = suspend ? store.suspend(agent) : store.resume(agent);
    return stored(op, suspend ? "suspend" : "resume")
        .map(
            v -> {
              log.warn("agent {} {} by {}{}", agent, suspend ? "SUSPENDED" : "resumed", actor.id(), reason == null ? "" : ": " + reason);
              JsonObject r = new JsonObject().put("agent", agent).put("suspended", suspend);
              events.accept(new ControlEvent(suspend ? "agent_suspended" : "agent_resumed", actor, r.copy().put("reason", reason)));
              return r;
            });
  }

  private Future<JsonObject> status(RoutingContext ctx) {
    Instant now = clock.instant();
    return Future.fromCompletionStage(store.load(), vertx.getOrCreateContext())
        .compose(
            state ->
                Future.fromCompletionStage(store.nodes(now, liveWithin), vertx.getOrCreateContext())
                    .map(
                        nodes -> {
                          JsonArray ns = new JsonArray();
                          for (NodeStatus n : nodes) {
                            ns.add(
                                new JsonObject()
                                    .put("node", n.nodeId())
                                    .put("acknowledgedEpoch", n.acknowledgedEpoch())
                                    .put("lastSeen", n.lastSeen().toString()));
                          }
                          return new JsonObject()
                              .put("epoch", state.epoch())
                              .put("lockdown", state.lockdown())
                              .put("suspendedAgents", new JsonArray(List.copyOf(state.suspendedAgents())))
                              .put("revokedGrants", state.revokedJtis().size())
                              .put("nodes", ns)
                              .put("thisNodeFresh", sync.fresh());
                        }))
        .recover(err -> Future.failedFuture(unavailable("status", err)));
  }

  private <T> Future<T> stored(CompletionStage<T> op, String what) {
    return Future.fromCompletionStage(op, vertx.getOrCreateContext()).recover(err -> Future.failedFuture(unavailable(what, err)));
  }

  static ApiError unavailable(String what, Throwable err) {
    return new ApiError(503, "store_unavailable", what + " was NOT applied: the shared store did not confirm it (" + err.getMessage() + ")");
  }
}
