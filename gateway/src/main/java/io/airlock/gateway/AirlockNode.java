package io.airlock.gateway;

import io.airlock.gateway.attribution.AgentKeys;
import io.airlock.gateway.attribution.AttributionKeys;
import io.airlock.gateway.attribution.WatermarkMac;
import io.airlock.gateway.audit.AuditLog;
import io.airlock.gateway.audit.AuditTypes;
import io.airlock.gateway.controlplane.ApiError;
import io.airlock.gateway.controlplane.AuditRoutes;
import io.airlock.gateway.controlplane.ControlPlaneServer;
import io.airlock.gateway.controlplane.Events;
import io.airlock.gateway.controlplane.KillSwitchRoutes;
import io.airlock.gateway.controlplane.RequestRoutes;
import io.airlock.gateway.controlplane.StaffContext;
import io.airlock.gateway.dataplane.DataPlaneServer;
import io.airlock.gateway.dataplane.InFlight;
import io.airlock.gateway.dataplane.Maskers;
import io.airlock.gateway.grant.EcdsaProvider;
import io.airlock.gateway.grant.GrantGate;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.GrantVerifier;
import io.airlock.gateway.grant.SigningKeys;
import io.airlock.gateway.identity.DemoAuthenticator;
import io.airlock.gateway.identity.DemoLogin;
import io.airlock.gateway.identity.DemoUsers;
import io.airlock.gateway.identity.OidcAuthenticator;
import io.airlock.gateway.identity.OidcSignIn;
import io.airlock.gateway.identity.StaffAuthHandler;
import io.airlock.gateway.identity.StaffAuthenticator;
import io.airlock.gateway.insider.Alarms;
import io.airlock.gateway.revocation.RevocationSync;
import io.airlock.gateway.store.Stores;
import io.airlock.gateway.tickets.TicketSources;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.port.StoreEvent;
import io.airlock.policy.request.ApprovalRules;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway node: data plane, control plane and the state they share, assembled from
 * a validated config. {@link Main} runs one; tests start as many as they need on port 0.
 */
public final class AirlockNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AirlockNode.class);

  private final Vertx vertx;
  private final AirlockConfig config;
  private final SigningKeys keys;
  private final int dataPlanePort;
  private final int controlPlanePort;
  private final RevocationSync revocations;
  private final List<AutoCloseable> closeables;
  private final java.util.concurrent.atomic.AtomicBoolean draining;
  private final List<HttpServer> dataPlaneServers;
  private final List<ListenerCertificates> certificates;
  private final CertificateWatcher certificateWatcher;
  private io.airlock.gateway.audit.AuditFeed auditFeed;
  private boolean closed;

  private AirlockNode(
      Vertx vertx,
      AirlockConfig config,
      SigningKeys keys,
      int dataPlanePort,
      int controlPlanePort,
      RevocationSync revocations,
      List<AutoCloseable> closeables,
      java.util.concurrent.atomic.AtomicBoolean draining,
      List<HttpServer> dataPlaneServers,
      List<ListenerCertificates> certificates) {
    this.certificates = certificates;
    this.certificateWatcher = new CertificateWatcher(certificates);
    this.draining = draining;
    this.dataPlaneServers = dataPlaneServers;
    this.vertx = vertx;
    this.config = config;
    this.keys = keys;
    this.dataPlanePort = dataPlanePort;
    this.controlPlanePort = controlPlanePort;
    this.revocations = revocations;
    this.closeables = closeables;
  }

  /** Starts a node and blocks until both planes listen (start-up only, never on an event loop). */
  public static AirlockNode start(AirlockConfig config, Clock clock) throws Exception {
    return start(config, clock, () -> {});
  }

  /**
   * As above; {@code certificatesChecked} runs once the listeners' pairs are read and checked and
   * before anything listens (tests change the files there, as a rotation during start-up would).
   */
  static AirlockNode start(AirlockConfig config, Clock clock, Runnable certificatesChecked) throws Exception {
    return start(config, clock, certificatesChecked, java.util.function.UnaryOperator.identity());
  }

  /**
   * As above; {@code wrapStores} may put its own implementation in front of a store (tests hold a
   * store's answers to open the windows between stages).
   */
  static AirlockNode start(
      AirlockConfig config, Clock clock, Runnable certificatesChecked, java.util.function.UnaryOperator<Stores> wrapStores)
      throws Exception {
    List<String> unreadable = TlsFiles.problems(config);
    if (!unreadable.isEmpty()) {
      throw new RefusedToStart("refusing to start: TLS files cannot be read:\n  " + String.join("\n  ", unreadable));
    }
    List<String> exposed = SecretFiles.problems(config);
    if (!exposed.isEmpty()) {
      throw new RefusedToStart("refusing to start: secret files readable by others:\n  " + String.join("\n  ", exposed));
    }
    SigningKeys keys = SigningKeys.load(config.grants(), clock.instant());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setMetricsOptions(
                        // Vert.x's own per-request HTTP meters cost ~8 % CPU on the data plane (JFR,
                        // docs/benchmarks.md); airlock.dataplane.requests{route,outcome} covers it
                        new MicrometerMetricsOptions()
                            .setEnabled(true)
                            .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.HTTP_SERVER)
                            .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.HTTP_CLIENT)))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
    List<AutoCloseable> closeables = new ArrayList<>();
    try {
      List<HttpServer> dataPlaneServers = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<HttpServer> controlPlaneServers = new java.util.concurrent.CopyOnWriteArrayList<>();
      // read and checked before anything listens: a key that does not match its certificate stops
      // start-up; the listeners then serve these very bytes, whatever the files hold by then
      Optional<ListenerCertificates> dataPlaneCertificates = config.dataPlane().tls().map(t -> new ListenerCertificates(
          vertx, config.node().id(), "dataPlane", t, true, () -> dataPlaneServers, registry, clock));
      Optional<ListenerCertificates> controlPlaneCertificates = config.controlPlane().tls().map(t -> new ListenerCertificates(
          vertx, config.node().id(), "controlPlane", t, false, () -> controlPlaneServers, registry, clock));
      List<ListenerCertificates> certificates = new ArrayList<>();
      dataPlaneCertificates.ifPresent(certificates::add);
      controlPlaneCertificates.ifPresent(certificates::add);
      certificatesChecked.run();
      Stores opened = Stores.open(config, clock);
      closeables.add(opened);
      Stores stores = wrapStores.apply(opened);
      AuditLog audit = AuditLog.open(config.audit(), config.node().id(), clock, stores.auditFeed());
      closeables.add(audit);
      audit.append(AuditTypes.CONFIG_LOADED, configSummary(config));

      RevocationSync revocations =
          new RevocationSync(vertx, stores.revocations(), config.node().id(), config.revocation().maxStaleness(), clock);
      closeables.add(revocations);
      InFlight inFlight = new InFlight();
      revocations.onChange(inFlight::sweep);
      io.micrometer.core.instrument.Gauge.builder("airlock.dataplane.exchanges.in.flight", inFlight, InFlight::size)
          .description("exchanges forwarded and not yet over (a kill-all cuts these)")
          .register(registry);
      revocations.onAlert(
          msg -> {
            audit.append("security.alert", Map.of("message", msg));
            stores.events().publish(new StoreEvent("security.alert", Map.of("message", msg)));
          });
      await(revocations.start());

      GrantVerifier verifier = GrantVerifier.create(config.grants(), keys, clock, EcdsaProvider.fastest());
      GrantGate gate = new GrantGate(vertx, verifier, config.grants(), clock);
      closeables.add(gate);
      AttributionKeys secrets = AttributionKeys.load(config.secrets());
      Alarms alarms = new Alarms(stores.revocations(), stores.events(), audit, config.node().id());
      DataPlaneServer.Dependencies deps =
          new DataPlaneServer.Dependencies(
              config, gate::verify, revocations, new Maskers(new AgentKeys(secrets.maskingKey())), registry, clock, inFlight, audit,
              stores.quotas(), alarms, new WatermarkMac(secrets.watermarkKey()),
              dataPlaneCertificates.map(ListenerCertificates::servingPair));
      java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
      int dp = await(DataPlaneServer.deploy(vertx, deps, Runtime.getRuntime().availableProcessors(), dataPlaneServers::add));

      StaffAuthenticator staffAuth;
      DemoAuthenticator demo = null;
      OidcSignIn sso = null;
      if (config.identity().mode() == IdentityConfig.Mode.DEMO) {
        demo = DemoAuthenticator.create(vertx, DemoUsers.load(config.configDir()), config.controlPlane(), config.grants().issuer(), clock);
        staffAuth = demo;
        log.warn("node {}: DEMO identity: anyone on this machine may sign in as any user in users.yaml", config.node().id());
      } else {
        OidcConfig oidcConfig = config.identity().oidc().orElseThrow();
        OidcAuthenticator oidc = await(OidcAuthenticator.start(vertx, oidcConfig, clock));
        closeables.add(oidc::close);
        staffAuth = oidc;
        if (oidcConfig.signIn().isPresent()) {
          sso = OidcSignIn.start(vertx, oidcConfig, oidc, stores.signIns(), clock, (type, fields) -> audit.append(type, fields)
              .onFailure(err -> log.error("AUDIT: could not record {}: {}", type, err.toString())));
          closeables.add(sso::close);
        }
      }

      Events events = new Events(vertx, stores.events(), AirlockNode::asSeenBy, staff -> staff.has(Role.AGENT)
          ? new StoreEvent("agent_state", Map.of("agent", staff.id(),
              "suspended", String.valueOf(revocations.current().suspendedAgents().contains(staff.id()))))
          : null);
      closeables.add(events);
      // learn today's epoch before any stream opens: otherwise the first revocation after start
      // (any epoch above 0) read as a kill-all and cut every agent's stream, and with it the
      // grant.revoked event that stream was about to carry
      events.closeStreamsKilledBy(revocations.current());
      revocations.onChange(snapshot -> events.closeStreamsKilledBy(snapshot));
      Consumer<KillSwitchRoutes.ControlEvent> controlEvents =
          e -> {
            // plain maps and lists, as the audit record format wants them
            @SuppressWarnings("unchecked")
            Map<String, Object> fields =
                new HashMap<>(io.vertx.core.json.Json.CODEC.fromString(e.details().encode(), Map.class));
            fields.put("actor", e.actor().id());
            audit.append(e.type(), fields)
                .onFailure(err -> log.error("AUDIT: could not record {} by {}: {}", e.type(), e.actor().id(), err.toString()));
            Map<String, String> attrs = new HashMap<>();
            attrs.put("actor", e.actor().id());
            e.details().forEach(en -> attrs.put(en.getKey(), String.valueOf(en.getValue())));
            if (!e.type().startsWith("request.") && !e.type().equals("grant.revoked") && !e.type().equals("grant.fetched")) {
              stores.events().publish(new StoreEvent(e.type(), attrs));
            }
          };
      GrantSigner signer = new GrantSigner(keys, config.grants().issuer(), clock);
      RequestRoutes requestRoutes =
          new RequestRoutes(vertx, stores.requests(), stores.revocations(), revocations, new ApprovalRules(config.policy()),
              signer, stores.events(), clock, controlEvents, TicketSources.open(vertx, config.tickets()), stores.quotas(), alarms);
      KillSwitchRoutes killSwitch =
          new KillSwitchRoutes(vertx, stores.revocations(), revocations, clock, config.revocation().maxStaleness(), controlEvents);
      AuditRoutes auditRoutes = new AuditRoutes(vertx, stores.auditFeed());
      DemoAuthenticator demoAuth = demo;
      OidcSignIn ssoSignIn = sso;
      String dataPlaneUrl =
          (config.dataPlane().tls().isPresent() ? "https://" : "http://") + config.dataPlane().host() + ":" + dp;

      HttpServer cp =
          await(
              ControlPlaneServer.start(
                  vertx,
                  config.controlPlane(),
                  controlPlaneCertificates.map(ListenerCertificates::servingPair),
                  () -> keys.jwksJson(clock.instant()),
                  () -> !draining.get() && revocations.fresh() && audit.healthy(),
                  registry,
                  router -> {
                    router.get("/api/config").handler(ctx -> ctx.json(new JsonObject()
                        .put("dataPlaneUrl", dataPlaneUrl)
                        .put("identityMode", config.identity().mode().name().toLowerCase(java.util.Locale.ROOT))
                        .put("ssoSignIn", ssoSignIn != null)
                        .put("node", config.node().id())));
                    if (demoAuth != null) {
                      DemoLogin.mount(router, demoAuth);
                    }
                    if (ssoSignIn != null) {
                      ssoSignIn.mount(router);
                    }
                    router.route("/api/*").handler(StaffAuthHandler.create(staffAuth));
                    // what must be audited must not happen unaudited
                    router.route("/api/*").handler(ctx -> {
                      if (ctx.request().method() == HttpMethod.POST && !audit.healthy()) {
                        ApiError.render(ctx, new ApiError(503, "audit_unavailable",
                            "the audit log cannot write (" + audit.problem().orElse("unknown") + "); nothing was changed"));
                      } else {
                        ctx.next();
                      }
                    });
                    router.get("/api/events").handler(ctx -> events.handle(ctx, StaffContext.staff(ctx)));
                    requestRoutes.mount(router);
                    killSwitch.mount(router);
                    auditRoutes.mount(router);
                  }));
      controlPlaneServers.add(cp);
      log.info(
          "node {} ready: data plane {}, control plane {}://{}:{}; grants signed by kid {}{}",
          config.node().id(),
          dataPlaneUrl,
          config.controlPlane().tls().isPresent() ? "https" : "http",
          config.controlPlane().host(),
          cp.actualPort(),
          keys.signingKidAt(clock.instant()).orElseThrow(),
          nextSigner(keys, clock));
      AirlockNode node = new AirlockNode(vertx, config, keys, dp, cp.actualPort(), revocations, closeables, draining,
          dataPlaneServers, List.copyOf(certificates));
      node.auditFeed = stores.auditFeed();
      return node;
    } catch (Exception e) {
      closeAll(vertx, closeables);
      throw e;
    }
  }

  private static String nextSigner(SigningKeys keys, Clock clock) {
    String now = keys.signingKidAt(clock.instant()).orElseThrow();
    return keys.schedule().handover(now)
        .map(t -> ", then kid " + keys.signingKidAt(t).orElseThrow() + " from " + t)
        .orElse("");
  }

  /** Who sees which live event: agents their own, managers their teams', security everything. */
  /**
   * What one staff member's event stream carries of {@code e}: all of it for security; null when
   * it is none of their business. Kill-all, lockdown and suspension events reach the people they
   * affect, but without who did it or why: a reason like "alice tripped honey c-0137" pushed to
   * Alice's stream would tell the suspect what {@code Alarms} keeps from her. The same holds for a
   * grant revoked by security; a manager's revocation keeps its who and why for the agent.
   */
  static StoreEvent asSeenBy(Staff staff, StoreEvent e) {
    if (staff.has(Role.SECURITY)) {
      return e;
    }
    // everyone holding a grant must learn at once that it died (the UI clears its viewer)
    if (e.type().equals("kill_all") || e.type().startsWith("lockdown")) {
      return withoutWhoAndWhy(e);
    }
    Map<String, String> a = e.attributes();
    if (e.type().equals("grant.revoked") && "true".equals(a.get("bySecurity"))) {
      Map<String, String> kept = new HashMap<>(a);
      kept.remove("by");
      kept.remove("reason");
      kept.remove("bySecurity");
      e = new StoreEvent(e.type(), Map.copyOf(kept));
      a = e.attributes();
    }
    if (e.type().equals("agent_suspended") || e.type().equals("agent_resumed")) {
      return staff.id().equals(a.get("agent")) ? withoutWhoAndWhy(e) : null;
    }
    String requester = a.get("requester") != null ? a.get("requester") : a.get("agent");
    if (staff.id().equals(requester)) {
      return e;
    }
    if (staff.has(Role.MANAGER) && a.get("teams") != null) {
      return staff.sharesTeamWith(Set.of(a.get("teams").split(","))) ? e : null;
    }
    return null;
  }

  private static StoreEvent withoutWhoAndWhy(StoreEvent e) {
    Map<String, String> kept = new HashMap<>(e.attributes());
    kept.remove("actor");
    kept.remove("reason");
    return new StoreEvent(e.type(), Map.copyOf(kept));
  }


  private static Map<String, Object> configSummary(AirlockConfig c) {
    Map<String, Object> m = new HashMap<>();
    m.put("configDir", c.configDir().toString());
    m.put("routes", c.routes().stream().map(r -> r.id()).toList());
    m.put("maskingProfiles", List.copyOf(new java.util.TreeSet<>(c.maskingProfiles().keySet())));
    m.put("identity", c.identity().mode().name().toLowerCase(java.util.Locale.ROOT));
    m.put("sharedStore", c.redis().isPresent() ? "redis" : "in-process");
    m.put("signingKeys", c.grants().schedule().activations().stream()
        .map(a -> a.kid() + (a.from().equals(io.airlock.policy.config.SigningSchedule.ALWAYS) ? "" : " from " + a.from()))
        .toList());
    m.put("auditDurability", c.audit().durability().name().toLowerCase(java.util.Locale.ROOT));
    return m;
  }

  public int dataPlanePort() {
    return dataPlanePort;
  }

  public int controlPlanePort() {
    return controlPlanePort;
  }

  public SigningKeys keys() {
    return keys;
  }

  public AirlockConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** This node's live audit feed (tests hold searches open on it; benchmarks time them). */
  public io.airlock.gateway.audit.AuditFeed auditFeed() {
    return auditFeed;
  }

  /** This node's revocation view (tests and benchmarks read its epoch and freshness). */
  public RevocationSync revocations() {
    return revocations;
  }

  /**
   * Re-reads the TLS certificate and key files of both planes (SIGHUP), the same way the file
   * watcher does: new connections get the new certificate, established ones keep theirs, nothing
   * is dropped. When a pair is broken its listener keeps serving the previous one and this
   * returns false.
   */
  public boolean reloadCertificates() {
    boolean all = true;
    for (ListenerCertificates c : certificates) {
      all &= c.reload("SIGHUP");
    }
    return all;
  }

  /** The leaf certificate each TLS listener hands new connections ({@code dataPlane}, {@code controlPlane}). */
  public Map<String, java.security.cert.X509Certificate> servedCertificates() {
    Map<String, java.security.cert.X509Certificate> m = new java.util.LinkedHashMap<>();
    certificates.forEach(c -> m.put(c.listener(), c.serving()));
    return m;
  }

  /**
   * Graceful stop (SIGTERM): readiness turns false, the data plane stops accepting and lets the
   * exchanges in progress finish within {@code shutdown.drainTimeout}, then everything closes,
   * the audit log last (flushed), and the node leaves the live-node list in the shared store.
   * Idempotent.
   */
  @Override
  public void close() throws Exception {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    draining.set(true);
    certificateWatcher.close();
    java.time.Duration drain = config.shutdown().drainTimeout();
    log.info("node {} draining: not ready, no new connections, up to {} for exchanges in progress",
        config.node().id(), drain);
    // HTTP/1.1 connections close once the response in progress is complete; after the deadline
    // whatever remains is cut (a reset, never a body that looks complete)
    List<Future<Void>> drained = new ArrayList<>();
    for (HttpServer s : dataPlaneServers) {
      drained.add(s.shutdown(drain.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    }
    try {
      Future.join(drained).toCompletionStage().toCompletableFuture()
          .get(drain.toMillis() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("node {}: data plane did not drain cleanly: {}", config.node().id(), e.toString());
    }
    closeAll(vertx, closeables);
    log.info("node {} stopped", config.node().id());
  }

  /** Stops serving first, then flushes and closes what the servers used (audit last). */
  private static void closeAll(Vertx vertx, List<AutoCloseable> closeables) throws Exception {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    } finally {
      for (int i = closeables.size() - 1; i >= 0; i--) {
        try {
          closeables.get(i).close();
        } catch (Exception e) {
          log.warn("closing {} failed: {}", closeables.get(i).getClass().getSimpleName(), e.toString());
        }
      }
    }
  }

  /** Waits for a Vert.x future from a non-event-loop thread (start-up, CLI, tests). */
  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }
}
