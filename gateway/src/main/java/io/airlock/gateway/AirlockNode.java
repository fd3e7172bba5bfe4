package io.airlock.gateway;

import io.airlock.gateway.controlplane.ControlPlaneServer;
import io.airlock.gateway.dataplane.DataPlaneServer;
import io.airlock.gateway.dataplane.Maskers;
import io.airlock.gateway.grant.EcdsaProvider;
import io.airlock.gateway.grant.GrantGate;
import io.airlock.gateway.grant.GrantVerifier;
import io.airlock.gateway.grant.SigningKeys;
import io.airlock.gateway.dataplane.InFlight;
import io.airlock.gateway.revocation.RevocationSync;
import io.airlock.gateway.store.memory.InMemoryRevocationStore;
import io.airlock.policy.config.AirlockConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.airlock.gateway.audit.AuditLog;
import io.airlock.gateway.audit.AuditMirror;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.time.Clock;
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
  private final List<AutoCloseable> closeables;

  private AirlockNode(
      Vertx vertx, AirlockConfig config, SigningKeys keys, int dataPlanePort, int controlPlanePort, List<AutoCloseable> closeables) {
    this.closeables = closeables;
    this.vertx = vertx;
    this.config = config;
    this.keys = keys;
    this.dataPlanePort = dataPlanePort;
    this.controlPlanePort = controlPlanePort;
  }

  /** Starts a node and blocks until both planes listen (start-up only, never on an event loop). */
  public static AirlockNode start(AirlockConfig config, Clock clock) throws Exception {
    SigningKeys keys = SigningKeys.load(config.grants());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx =
        Vertx.builder()
            .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
    List<AutoCloseable> closeables = new ArrayList<>();
    try {
      log.warn(
          "node {}: no shared store configured: revocation state is in-process, single node only",
          config.node().id());
      RevocationSync revocations =
          new RevocationSync(
              vertx, new InMemoryRevocationStore(clock), config.node().id(), config.revocation().maxStaleness(), clock);
      InFlight inFlight = new InFlight();
      AuditLog audit = AuditLog.open(config.audit(), config.node().id(), clock, AuditMirror.NONE);
      closeables.add(audit);
      revocations.onChange(inFlight::sweep);
      await(revocations.start());
      GrantVerifier verifier = GrantVerifier.create(config.grants(), keys, clock, EcdsaProvider.fastest());
      GrantGate gate = new GrantGate(vertx, verifier, config.grants(), clock);
      // per-process key until the watermark/hmac secret is configurable: tokens are stable per node run
      byte[] hmacKey = new byte[32];
      new SecureRandom().nextBytes(hmacKey);
      DataPlaneServer.Dependencies deps =
          new DataPlaneServer.Dependencies(
              config,
              gate::verify,
              revocations,
              new Maskers(hmacKey),
              registry,
              clock,
              inFlight,
              audit);
      int dp =
          DataPlaneServer.deploy(vertx, deps, Runtime.getRuntime().availableProcessors())
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      HttpServer cp =
          ControlPlaneServer.start(vertx, config.controlPlane(), keys::jwksJson, () -> revocations.fresh() && audit.healthy(), registry, router -> {})
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      log.info(
          "node {} ready: data plane http://{}:{}, control plane http://{}:{}",
          config.node().id(),
          config.dataPlane().host(),
          dp,
          config.controlPlane().host(),
          cp.actualPort());
      return new AirlockNode(vertx, config, keys, dp, cp.actualPort(), closeables);
    } catch (Exception e) {
      closeAll(vertx, closeables);
      throw e;
    }
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

  @Override
  public void close() throws Exception {
    closeAll(vertx, closeables);
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
