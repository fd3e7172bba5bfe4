package io.airlock.gateway.controlplane;

import io.airlock.policy.port.EventBus;
import io.airlock.policy.port.StoreEvent;
import io.airlock.policy.staff.Staff;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code GET /api/events}: server-sent events for the UI. One subscription to the cluster event
 * bus per node fans out to every open stream, each filtered by what its caller may see; events
 * arrive from other nodes through the store's pub/sub.
 */
public final class Events implements AutoCloseable {
  private record Stream(Staff staff, HttpServerResponse response, Context context) {}

  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private final BiFunction<Staff, StoreEvent, StoreEvent> asSeenBy;
  private final Function<Staff, StoreEvent> greeting;
  private final AutoCloseable subscription;
  private final long heartbeatTimer;
  private final Vertx vertx;
  private volatile long lastEpoch;

  /**
   * @param asSeenBy the event as a caller may see it (attributes they may not read removed), or
   *     null when they may not see it at all
   * @param greeting the first event of every new stream: the caller's state now (e.g. whether an
   *     agent is suspended). Events are not replayed, so a stream that was down (streams of
   *     suspended agents are cut) would otherwise never learn what changed meanwhile
   */
  public Events(
      Vertx vertx, EventBus bus, BiFunction<Staff, StoreEvent, StoreEvent> asSeenBy, Function<Staff, StoreEvent> greeting) {
    this.vertx = vertx;
    this.asSeenBy = asSeenBy;
    this.greeting = greeting;
    this.subscription = bus.subscribe(this::fanOut);
    // proxies and browsers drop idle streams; a comment line every 15 s keeps them open
    this.heartbeatTimer = vertx.setPeriodic(15_000, id -> {
      for (Stream s : streams) {
        s.context.runOnContext(v -> write(s, ": keep-alive\n\n"));
      }
    });
  }

  public void handle(RoutingContext ctx, Staff staff) {
    HttpServerResponse resp = ctx.response();
    resp.setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    Stream s = new Stream(staff, resp, vertx.getOrCreateContext());
    streams.add(s);
    resp.closeHandler(v -> streams.remove(s));
    write(s, ": connected as " + staff.id() + "\n\n");
    StoreEvent hello = greeting.apply(staff);
    if (hello != null) {
      write(s, frame(hello));
    }
  }

  private static String frame(StoreEvent e) {
    return "event: " + e.type() + "\ndata: " + new JsonObject().put("type", e.type())
        .put("attributes", new JsonObject(new java.util.HashMap<>(e.attributes()))).encode() + "\n\n";
  }

  /** Ends the streams of agents whose access this snapshot kills (kill-all, suspension). */
  public void closeStreamsKilledBy(io.airlock.policy.revocation.RevocationSnapshot snapshot) {
    boolean killAll = snapshot.epoch() > lastEpoch;
    lastEpoch = Math.max(lastEpoch, snapshot.epoch());
    for (Stream s : streams) {
      boolean agentOnly = s.staff.has(io.airlock.policy.staff.Role.AGENT) && s.staff.roles().size() == 1;
      if (agentOnly && (killAll || snapshot.lockdown() || snapshot.suspendedAgents().contains(s.staff.id()))) {
        closeStreamsOf(s.staff.id());
      }
    }
  }

  /** Ends every stream of one agent (kill switch, suspension). */
  public void closeStreamsOf(String staffId) {
    for (Stream s : streams) {
      if (s.staff.id().equals(staffId)) {
        streams.remove(s);
        s.context.runOnContext(v -> {
          if (!s.response.ended()) {
            s.response.end();
          }
        });
      }
    }
  }

  private void fanOut(StoreEvent e) {
    String whole = frame(e);
    for (Stream s : streams) {
      StoreEvent seen = asSeenBy.apply(s.staff, e);
      if (seen != null) {
        String frame = seen == e ? whole : frame(seen);
        s.context.runOnContext(v -> write(s, frame));
      }
    }
  }

  private void write(Stream s, String frame) {
    if (s.response.ended() || s.response.closed()) {
      streams.remove(s);
      return;
    }
    if (s.response.writeQueueFull()) {
      // a stream that cannot keep up is closed rather than buffered without bound
      streams.remove(s);
      s.response.reset();
      return;
    }
    s.response.write(frame);
  }

  @Override
  public void close() throws Exception {
    vertx.cancelTimer(heartbeatTimer);
    subscription.close();
  }
}
