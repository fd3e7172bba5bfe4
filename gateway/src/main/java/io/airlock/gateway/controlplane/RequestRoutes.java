package io.airlock.gateway.controlplane;

import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.IssuedGrant;
import io.airlock.gateway.revocation.RevocationSync;
import io.airlock.policy.port.AccessRequestStore;
import io.airlock.gateway.insider.Alarms;
import io.airlock.policy.config.QuotaPolicy;
import io.airlock.policy.port.EventBus;
import io.airlock.policy.port.QuotaStore;
import io.airlock.policy.port.TicketSource;
import io.airlock.policy.port.RevocationStore;
import io.airlock.policy.port.StoreEvent;
import io.airlock.policy.request.AccessRequest;
import io.airlock.policy.request.ApprovalRules;
import io.airlock.policy.request.GrantTerms;
import io.airlock.policy.request.IssuedGrantRecord;
import io.airlock.policy.request.NewRequest;
import io.airlock.policy.request.RequestRejected;
import io.airlock.policy.request.RequestState;
import io.airlock.policy.request.Review;
import io.airlock.policy.request.ReviewOutcome;
import io.airlock.policy.request.RiskSignals;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Access requests and grants over HTTP (DESIGN.md "Control plane"). Every state change is
 * read → {@link ApprovalRules} → compare-and-swap, retried from a fresh read when another node
 * (or another click) wrote first, so concurrent approvals end in exactly one outcome.
 */
public final class RequestRoutes {
  private static final int MAX_ATTEMPTS = 16;
  /** Most recent requests of an agent read for risk signals: enough for a day's and a week's counts. */
  private static final int RISK_HISTORY = 200;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final AccessRequestStore requests;
  private final RevocationStore revocations;
  private final RevocationSync sync;
  private final ApprovalRules rules;
  private final GrantSigner signer;
  private final EventBus bus;
  private final Clock clock;
  private final Consumer<KillSwitchRoutes.ControlEvent> audit;
  private final Optional<TicketSource> tickets;
  private final QuotaStore quotas;
  private final Alarms alarms;
  private final Set<String> honey;
  private final QuotaPolicy quotaPolicy;

  public RequestRoutes(
      Vertx vertx,
      AccessRequestStore requests,
      RevocationStore revocations,
      RevocationSync sync,
      ApprovalRules rules,
      GrantSigner signer,
      EventBus bus,
      Clock clock,
      Consumer<KillSwitchRoutes.ControlEvent> audit,
      Optional<TicketSource> tickets,
      QuotaStore quotas,
      Alarms alarms) {
    this.vertx = vertx;
    this.tickets = tickets;
    this.quotas = quotas;
    this.alarms = alarms;
    this.honey = rules.policy().honeyClients();
    this.quotaPolicy = rules.policy().quotas();
    this.requests = requests;
    this.revocations = revocations;
    this.sync = sync;
    this.rules = rules;
    this.signer = signer;
    this.bus = bus;
    this.clock = clock;
    this.audit = audit;
  }

  public void mount(Router router) {
    router.post("/api/requests").handler(ctx -> run(ctx, this::create, 201));
    router.get("/api/requests").handler(ctx -> run(ctx, this::list, 200));
    router.get("/api/requests/:id").handler(ctx -> run(ctx, this::one, 200));
    router.post("/api/requests/:id/approve").handler(ctx -> run(ctx, c -> review(c, Review.Verdict.APPROVE), 200));
    router.post("/api/requests/:id/deny").handler(ctx -> run(ctx, c -> review(c, Review.Verdict.DENY), 200));
    router.post("/api/requests/:id/cancel").handler(ctx -> run(ctx, this::cancel, 200));
    router.get("/api/grants").handler(ctx -> run(ctx, this::grants, 200));
    router.post("/api/grants/:jti/revoke").handler(ctx -> run(ctx, this::revoke, 200));
  }

  private void run(RoutingContext ctx, Function<RoutingContext, Future<Object>> action, int status) {
    Future<Object> f;
    try {
      f = action.apply(ctx);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(
            body ->
                ctx.response()
                    .setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(body instanceof JsonArray a ? a.encode() : ((JsonObject) body).encode()))
        .onFailure(err -> ApiError.render(ctx, translate(err)));
  }

  static Throwable translate(Throwable err) {
    if (err instanceof RequestRejected r) {
      String field = r.field().map(f -> f + ": ").orElse("");
      String msg = r.getMessage();
      String withField = msg.startsWith(field) ? msg : field + msg;
      String f = r.field().orElse(null);
      switch (r.reason()) {
        case BAD_REQUEST:
          return new ApiError(400, "invalid_request", withField, f);
        case POLICY_VIOLATION:
          return new ApiError(422, "policy_violation", withField, f);
        case CONFLICT:
          return new ApiError(409, "conflict", msg);
        case NOT_FOUND:
          return new ApiError(404, "not_found", msg);
        case FORBIDDEN:
        default:
          return new ApiError(403, "forbidden", msg);
      }
    }
    return err;
  }

  private Future<Object> create(RoutingContext ctx) {
    Staff staff = StaffContext.staff(ctx);
    JsonObject body =
        JsonBodies.object(ctx, Set.of("ticket", "clients", "reason", "durationMinutes", "unmask", "actions"));
    NewRequest in =
        new NewRequest(
            JsonBodies.string(body, "ticket", false),
            body.containsKey("clients") ? JsonBodies.strings(body, "clients", false) : null,
            JsonBodies.string(body, "reason", false),
            JsonBodies.integer(body, "durationMinutes"),
            body.containsKey("unmask") ? JsonBodies.strings(body, "unmask", false) : null,
            body.containsKey("actions") ? JsonBodies.strings(body, "actions", false) : null);
    AccessRequest r = rules.create(in, staff, newId("req"), clock.instant());
    return checkTicket(r)
        .compose(v -> recordRequestedClients(r))
        .compose(v -> await(requests.create(r)))
        .map(
            v -> {
              publish("request.created", r);
              audit.accept(event("request.created", staff, r));
              List<String> honeyNamed = r.clients().stream().filter(honey::contains).toList();
              if (!honeyNamed.isEmpty()) {
                // accepted as usual: the agent sees nothing, security hears at once
                alarms.alert(Alarms.Kind.HONEY_REQUESTED, r.requester(),
                    Map.of("requestId", r.id(), "ticket", r.ticket(), "clients", String.join(",", honeyNamed)));
              }
              return new JsonObject()
                  .put("id", r.id())
                  .put("status", r.state().code())
                  .put("requiredApprovals", r.requiredApprovals())
                  .put("securityApprovalRequired", r.securityApprovalRequired())
                  .put("pendingUntil", r.pendingUntil().toString());
            });
  }

  /** The ticket must be open, assigned to the requester and name every client; unreachable refuses. */
  private Future<Void> checkTicket(AccessRequest r) {
    if (tickets.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.fromCompletionStage(tickets.get().find(r.ticket()), vertx.getOrCreateContext())
        .recover(
            err ->
                Future.failedFuture(
                    new ApiError(503, "ticketing_unavailable",
                        "the ticketing system could not confirm ticket " + r.ticket() + " (" + err.getMessage()
                            + "); nothing was requested: try again when it is reachable")))
        .compose(
            t -> {
              Optional<String> problem =
                  t.isEmpty() ? Optional.of("ticket " + r.ticket() + " does not exist in the ticketing system") : t.get().mismatch(r.requester(), r.clients());
              return problem.isEmpty()
                  ? Future.succeededFuture()
                  : Future.failedFuture(new ApiError(422, "ticket_mismatch", problem.get(), "ticket"));
            });
  }

  /** Distinct clients named in requests per rolling day; over it, the request is refused and security told. */
  private Future<Void> recordRequestedClients(AccessRequest r) {
    QuotaStore.Limits limits = new QuotaStore.Limits(0, quotaPolicy.requestedClientsPerDay());
    return await(quotas.recordRequested(r.requester(), r.clients(), clock.instant(), limits))
        .compose(
            d -> {
              if (d.allowed()) {
                return Future.succeededFuture();
              }
              alarms.alert(Alarms.Kind.REQUESTED_QUOTA_EXCEEDED, r.requester(),
                  Map.of("ticket", r.ticket(), "clients", String.join(",", r.clients()),
                      "limit", Integer.toString(limits.perDay()), "clientsLastDay", Integer.toString(d.clientsLastDay())));
              return Future.failedFuture(
                  new ApiError(422, "quota_exceeded",
                      "clients: you named " + d.clientsLastDay() + " distinct clients in requests in the last 24 hours;"
                          + " this request's new ones would pass the limit of " + limits.perDay(),
                      "clients"));
            });
  }

  private Future<Object> list(RoutingContext ctx) {
    Staff staff = StaffContext.staff(ctx);
    String status = ctx.queryParams().get("status");
    RequestState wanted = null;
    if (status != null) {
      wanted =
          java.util.Arrays.stream(RequestState.values())
              .filter(s -> s.code().equals(status))
              .findFirst()
              .orElseThrow(() -> ApiError.badRequest("status", "must be one of pending, approved, denied, expired, cancelled"));
    }
    RequestState filter = wanted;
    CompletionStage<List<AccessRequest>> source =
        !staff.has(Role.MANAGER) && !staff.has(Role.SECURITY)
            ? requests.byRequester(staff.id(), 200)
            : filter == RequestState.PENDING ? requests.pending() : requests.recent(500);
    Instant now = clock.instant();
    return await(source)
        .compose(
            list -> {
              List<AccessRequest> shown = new ArrayList<>();
              for (AccessRequest r : list) {
                AccessRequest s = rules.expireIfDue(r, now);
                if (rules.maySee(staff, s) && (filter == null || s.state() == filter)) {
                  shown.add(s);
                }
              }
              return risks(staff, shown)
                  .map(
                      risk -> {
                        JsonArray out = new JsonArray();
                        for (AccessRequest s : shown) {
                          out.add(decorate(render(s, staff, false), s, staff, risk));
                        }
                        return out;
                      });
            });
  }

  private Future<Object> one(RoutingContext ctx) {
    Staff staff = StaffContext.staff(ctx);
    String id = ctx.pathParam("id");
    return load(id, staff)
        .compose(
            r -> {
              boolean own = r.requester().equals(staff.id());
              if (own && r.grant().isPresent()) {
                audit.accept(event("grant.fetched", staff, r));
              }
              return risks(staff, List.of(r)).map(risk -> decorate(render(r, staff, own), r, staff, risk));
            });
  }

  private Future<AccessRequest> load(String id, Staff staff) {
    return await(requests.get(id))
        .map(
            o -> {
              // someone else's request reads as absent: ids are not something to probe
              AccessRequest r = o.filter(x -> rules.maySee(staff, x)).orElseThrow(() -> ApiError.notFound("request " + id));
              return rules.expireIfDue(r, clock.instant());
            });
  }

  private Future<Object> review(RoutingContext ctx, Review.Verdict verdict) {
    Staff staff = StaffContext.staff(ctx);
    String field = verdict == Review.Verdict.DENY ? "reason" : "comment";
    JsonObject body = JsonBodies.object(ctx, Set.of(field));
    String text = JsonBodies.string(body, field, verdict == Review.Verdict.DENY);
    String id = ctx.pathParam("id");
    return transition(id, staff, r -> decide(r, staff, verdict, text), 0)
        .compose(
            r -> {
              publish(r.state() == RequestState.PENDING ? "request.reviewed" : "request.decided", r);
              audit.accept(event(verdict == Review.Verdict.DENY ? "request.denied" : r.state() == RequestState.APPROVED ? "request.approved" : "request.reviewed", staff, r));
              // risk is advice for deciding; once decided it would only cost a history read
              return Future.succeededFuture(decorate(render(r, staff, false), r, staff, Map.of()));
            });
  }

  /** One review, signing the grant when it is the final approval. */
  private Future<AccessRequest> decide(AccessRequest current, Staff staff, Review.Verdict verdict, String text) {
    ReviewOutcome outcome = rules.applyReview(current, staff, verdict, text, clock.instant());
    if (outcome instanceof ReviewOutcome.Recorded rec) {
      return Future.succeededFuture(rec.request());
    }
    ReviewOutcome.Issue issue = (ReviewOutcome.Issue) outcome;
    if (sync.current().lockdown()) {
      throw new ApiError(409, "lockdown", "the gateway is in lockdown: no grants are issued until security lifts it");
    }
    GrantTerms t = issue.terms();
    IssuedGrant g =
        signer.sign(
            new GrantClaims(t.agent(), t.ticket(), t.clients(), t.actions(), t.unmask(), t.requestId(), t.approvers(), sync.epoch(), t.ttl()));
    Instant iat = g.expiresAt().minus(t.ttl());
    return Future.succeededFuture(rules.withGrant(issue, new IssuedGrantRecord(g.jti(), g.token(), iat, g.expiresAt())));
  }

  private Future<Object> cancel(RoutingContext ctx) {
    Staff staff = StaffContext.staff(ctx);
    JsonBodies.object(ctx, Set.of());
    return transition(ctx.pathParam("id"), staff, r -> Future.succeededFuture(rules.cancel(r, staff, clock.instant())), 0)
        .map(
            r -> {
              publish("request.decided", r);
              audit.accept(event("request.cancelled", staff, r));
              return render(r, staff, true);
            });
  }

  /** read → apply → compare-and-swap, from a fresh read each time another writer won. */
  private Future<AccessRequest> transition(
      String id, Staff staff, Function<AccessRequest, Future<AccessRequest>> apply, int attempt) {
    if (attempt >= MAX_ATTEMPTS) {
      return Future.failedFuture(new ApiError(409, "conflict", "request " + id + " is changing too fast; try again"));
    }
    return await(requests.get(id))
        .compose(
            o -> {
              AccessRequest read = o.filter(x -> rules.maySee(staff, x)).orElseThrow(() -> ApiError.notFound("request " + id));
              AccessRequest current = rules.expireIfDue(read, clock.instant());
              if (current != read) {
                // persist the expiry, then let the rules refuse the transition on the expired request
                return await(requests.compareAndSet(read.version(), current))
                    .compose(ok -> transition(id, staff, apply, attempt + 1));
              }
              return apply.apply(current)
                  .compose(
                      next ->
                          await(requests.compareAndSet(current.version(), next))
                              .compose(ok -> ok ? Future.succeededFuture(next) : transition(id, staff, apply, attempt + 1)));
            });
  }

  private Future<Object> grants(RoutingContext ctx) {
    Staff staff = StaffContext.require(ctx, Role.MANAGER, Role.SECURITY);
    Instant now = clock.instant();
    return await(requests.activeGrants(now))
        .map(
            list -> {
              var snapshot = sync.current();
              JsonArray out = new JsonArray();
              for (AccessRequest r : list) {
                if (!rules.maySee(staff, r)) {
                  continue;
                }
                IssuedGrantRecord g = r.grant().orElseThrow();
                out.add(
                    new JsonObject()
                        .put("jti", g.jti())
                        .put("agent", r.requester())
                        .put("ticket", r.ticket())
                        .put("clients", new JsonArray(r.clients()))
                        .put("unmask", codes(r.unmask()))
                        .put("actions", codes(r.actions()))
                        .put("requestId", r.id())
                        .put("issuedAt", g.issuedAt().toString())
                        .put("expiresAt", g.expiresAt().toString())
                        .put("revoked", snapshot.revokedJtis().contains(g.jti())));
              }
              return out;
            });
  }

  private Future<Object> revoke(RoutingContext ctx) {
    Staff staff = StaffContext.require(ctx, Role.MANAGER, Role.SECURITY);
    JsonObject body = JsonBodies.object(ctx, Set.of("reason"));
    String reason = JsonBodies.string(body, "reason", false);
    String jti = ctx.pathParam("jti");
    return await(requests.byGrant(jti))
        .compose(
            o -> {
              AccessRequest r = o.filter(x -> rules.maySee(staff, x)).orElseThrow(() -> ApiError.notFound("grant " + jti));
              IssuedGrantRecord g = r.grant().orElseThrow();
              return Future.fromCompletionStage(revocations.revoke(jti, g.expiresAt()), vertx.getOrCreateContext())
                  .recover(err -> Future.failedFuture(KillSwitchRoutes.unavailable("revoke", err)))
                  .map(
                      v -> {
                        // who and why travel with the event: the agent's viewer says it when it clears
                        Map<String, String> attrs = new java.util.HashMap<>(
                            Map.of("jti", jti, "agent", r.requester(), "requestId", r.id(), "by", staff.id()));
                        if (reason != null && !reason.isBlank()) {
                          attrs.put("reason", reason);
                        }
                        if (staff.has(io.airlock.policy.staff.Role.SECURITY)) {
                          // only security sees who and why (AirlockNode.asSeenBy): a revocation by
                          // security may be an investigation the agent must not learn about
                          attrs.put("bySecurity", "true");
                        }
                        bus.publish(new StoreEvent("grant.revoked", attrs));
                        audit.accept(new KillSwitchRoutes.ControlEvent("grant.revoked", staff,
                            new JsonObject().put("jti", jti).put("agent", r.requester()).put("requestId", r.id()).put("reason", reason)));
                        return new JsonObject().put("jti", jti).put("revoked", true);
                      });
            });
  }

  private void publish(String type, AccessRequest r) {
    bus.publish(
        new StoreEvent(
            type,
            Map.of(
                "requestId", r.id(),
                "requester", r.requester(),
                "teams", String.join(",", r.requesterTeams()),
                "status", r.state().code())));
  }

  private static KillSwitchRoutes.ControlEvent event(String type, Staff actor, AccessRequest r) {
    return new KillSwitchRoutes.ControlEvent(
        type,
        actor,
        new JsonObject()
            .put("requestId", r.id())
            .put("requester", r.requester())
            .put("ticket", r.ticket())
            .put("clients", new JsonArray(r.clients()))
            .put("status", r.state().code())
            .put("jti", r.grant().map(IssuedGrantRecord::jti).orElse(null)));
  }

  /** Whether {@code viewer} is shown risk signals for {@code r}: deciders and security, never the requester. */
  private boolean showsRisk(Staff viewer, AccessRequest r) {
    return !r.requester().equals(viewer.id()) && (viewer.has(Role.SECURITY) || rules.mayDecide(viewer, r));
  }

  /** Risk signals of the requests {@code viewer} is shown them for, by request id. */
  private Future<Map<String, RiskSignals>> risks(Staff viewer, List<AccessRequest> shown) {
    Instant now = clock.instant();
    Map<String, List<AccessRequest>> byRequester = new java.util.LinkedHashMap<>();
    for (AccessRequest r : shown) {
      if (showsRisk(viewer, r)) {
        byRequester.computeIfAbsent(r.requester(), k -> new ArrayList<>()).add(r);
      }
    }
    Map<String, RiskSignals> out = new java.util.concurrent.ConcurrentHashMap<>();
    List<Future<Void>> all = new ArrayList<>();
    byRequester.forEach(
        (agent, rs) ->
            all.add(
                await(requests.byRequester(agent, RISK_HISTORY))
                    .compose(
                        history ->
                            await(quotas.distinctClientsRead(agent, now, QuotaStore.DAY))
                                .map(
                                    n -> {
                                      rs.forEach(r -> out.put(r.id(), RiskSignals.of(r, history, n, now)));
                                      return (Void) null;
                                    }))
                    // signals are advice: a store hiccup shows the request without them, not a 503
                    .recover(err -> Future.succeededFuture())));
    return Future.all(all).map(x -> out);
  }

  /** Adds {@code risk} for deciders and the honey flag for security; managers never see the latter. */
  private JsonObject decorate(JsonObject o, AccessRequest r, Staff viewer, Map<String, RiskSignals> risk) {
    RiskSignals s = risk.get(r.id());
    if (s != null) {
      o.put(
          "risk",
          new JsonObject()
              .put("distinctClients24h", s.distinctClients24h())
              .put("requestsToday", s.requestsToday())
              .put("deniedThisWeek", s.deniedThisWeek())
              .put("outsideUsualHours", s.outsideUsualHours())
              .put("unmask", codes(s.unmask())));
    }
    if (viewer.has(Role.SECURITY)) {
      List<String> named = r.clients().stream().filter(honey::contains).toList();
      o.put("honey", !named.isEmpty());
      if (!named.isEmpty()) {
        o.put("honeyClients", new JsonArray(named));
      }
    }
    return o;
  }

  /** The API view of a request; the token only for its requester. */
  JsonObject render(AccessRequest r, Staff viewer, boolean includeToken) {
    JsonArray reviews = new JsonArray();
    for (Review rv : r.reviews()) {
      reviews.add(
          new JsonObject()
              .put("reviewer", rv.reviewer())
              .put("verdict", rv.verdict().name().toLowerCase(java.util.Locale.ROOT))
              .put("comment", rv.comment())
              .put("at", rv.at().toString()));
    }
    JsonObject o =
        new JsonObject()
            .put("id", r.id())
            .put("status", r.state().code())
            .put("requester", r.requester())
            .put("ticket", r.ticket())
            .put("clients", new JsonArray(r.clients()))
            .put("reason", r.reason())
            .put("durationMinutes", r.duration().toMinutes())
            .put("unmask", codes(r.unmask()))
            .put("actions", codes(r.actions()))
            .put("createdAt", r.createdAt().toString())
            .put("pendingUntil", r.pendingUntil().toString())
            .put("requiredApprovals", r.requiredApprovals())
            .put("securityApprovalRequired", r.securityApprovalRequired())
            .put("approvals", r.approvals())
            .put("reviews", reviews)
            .put("decisionReason", r.decisionReason().orElse(null));
    r.grant()
        .ifPresent(
            g -> {
              JsonObject grant = new JsonObject().put("jti", g.jti()).put("expiresAt", g.expiresAt().toString());
              if (includeToken && r.requester().equals(viewer.id())) {
                grant.put("token", g.token());
              }
              // killed by a revocation of its own; a kill-all shows on the data plane instead
              grant.put("revoked", sync.current().revokedJtis().contains(g.jti()));
              o.put("grant", grant);
            });
    return o;
  }

  private static JsonArray codes(Set<? extends Enum<?>> values) {
    List<String> out = new ArrayList<>();
    for (Enum<?> e : values) {
      out.add(e.name().toLowerCase(java.util.Locale.ROOT));
    }
    out.sort(null);
    return new JsonArray(out);
  }

  private <T> Future<T> await(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext())
        .recover(
            err ->
                Future.failedFuture(
                    err instanceof ApiError || err instanceof RequestRejected
                        ? err
                        : new ApiError(503, "store_unavailable", "the shared store did not answer: " + err.getMessage())));
  }

  private static String newId(String prefix) {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return prefix + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
