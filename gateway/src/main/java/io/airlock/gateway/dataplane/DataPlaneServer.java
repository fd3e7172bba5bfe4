package io.airlock.gateway.dataplane;

import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.DataPlaneConfig;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.StreamingMasker;
import io.airlock.policy.revocation.RevocationView;
import io.airlock.policy.route.RouteTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * The data plane (default :8080): one verticle per event loop, each with its own server and
 * backend client, all running the same {@link Pipeline}.
 */
public final class DataPlaneServer {
  private DataPlaneServer() {}

  /** How long a client may take to deliver a complete request head ({@link HeadDeadline}). */
  static final Duration REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);

  /** Everything the data plane needs from the rest of the node. */
  public record Dependencies(
      AirlockConfig config,
      GrantAuthenticator grants,
      RevocationView revocations,
      BiFunction<MaskingProfile, Exchange, StreamingMasker> maskers,
      MeterRegistry registry,
      Clock clock,
      InFlight inFlight,
      io.airlock.gateway.audit.AuditLog audit,
      io.airlock.policy.port.QuotaStore quotas,
      io.airlock.gateway.insider.Alarms alarms,
      io.airlock.gateway.attribution.WatermarkMac watermarkMac,
      Optional<io.airlock.gateway.TlsFiles.CheckedPair> tls) {}

  /**
   * Deploys {@code instances} data-plane verticles and completes with the bound port. With
   * port 0 (tests) a single instance is used so the port is unambiguous.
   */
  public static Future<Integer> deploy(Vertx vertx, Dependencies deps, int instances) {
    return deploy(vertx, deps, instances, server -> {});
  }

  /** As above; {@code listening} receives every server so the node can drain them on shutdown. */
  public static Future<Integer> deploy(
      Vertx vertx, Dependencies deps, int instances, java.util.function.Consumer<HttpServer> listening) {
    DataPlaneConfig dp = deps.config().dataPlane();
    int n = dp.port() == 0 ? 1 : Math.max(1, instances);
    AtomicInteger port = new AtomicInteger();
    // one limit for the node: an agent's requests land on any event loop
    InFlightLimit limit = new InFlightLimit(InFlightLimit.DEFAULT_PER_AGENT);
    return vertx
        .deployVerticle(() -> new Instance(deps, port, limit, listening), new DeploymentOptions().setInstances(n))
        .map(id -> port.get());
  }

  /** @param tls the pair start-up checked for {@code dp.tls()}, served as those bytes */
  static HttpServerOptions serverOptions(DataPlaneConfig dp, Optional<io.airlock.gateway.TlsFiles.CheckedPair> tls) {
    // over TLS, ALPN offers http/1.1 only (below): h2 would bypass the defences proven on HTTP/1.1
    return io.airlock.gateway.TlsFiles.serve(new HttpServerOptions(), dp.tls(), tls)
        .setHost(dp.host())
        .setPort(dp.port())
        // h2c (Upgrade and prior knowledge) would be handled inside Netty, past our Upgrade check
        .setHttp2ClearTextEnabled(false)
        .setUseAlpn(dp.tls().isPresent())
        .setAlpnVersions(List.of(HttpVersion.HTTP_1_1))
        .setMaxHeaderSize(dp.maxHeaderBytes())
        .setMaxInitialLineLength(dp.maxUriLength() + 64)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setHandle100ContinueAutomatically(false)
        .setIdleTimeout(120);
  }

  private static final class Instance extends VerticleBase {
    private final Dependencies deps;
    private final AtomicInteger port;
    private final InFlightLimit limit;
    private final java.util.function.Consumer<HttpServer> listening;
    private HttpClient client;

    Instance(Dependencies deps, AtomicInteger port, InFlightLimit limit, java.util.function.Consumer<HttpServer> listening) {
      this.deps = deps;
      this.port = port;
      this.limit = limit;
      this.listening = listening;
    }

    @Override
    public Future<?> start() {
      AirlockConfig cfg = deps.config();
      client =
          vertx.createHttpClient(
              new HttpClientOptions()
                  .setKeepAlive(true)
                  .setDecompressionSupported(false)
                  .setConnectTimeout((int) cfg.dataPlane().backendConnectTimeout().toMillis()),
              new PoolOptions().setHttp1MaxSize(64));
      RevocationCheck revocationCheck = new RevocationCheck(deps.revocations(), cfg.revocation().maxStaleness(), deps.clock());
      Forwarder forwarder =
          new Forwarder(
              client,
              cfg.dataPlane(),
              cfg.maskingProfiles(),
              deps.maskers(),
              new Watermarks(cfg.node().id(), deps.clock(), deps.watermarkMac()),
              deps.inFlight(),
              revocationCheck);
      AccessAudit audit = new AccessAudit(deps.audit());
      // DESIGN.md "Data plane": the order below is the contract
      List<Stage> stages =
          List.of(
              new PathGuard(cfg.dataPlane().maxUriLength()),
              new RouteGuard(new RouteTable(cfg.routes())),
              new GrantCheck(deps.grants()),
              revocationCheck,
              new ScopeCheck(),
              limit,
              new QuotaCheck(deps.quotas(), cfg.policy().quotas(), cfg.policy().honeyClients(), deps.alarms(), deps.clock()),
              audit);
      Pipeline pipeline =
          new Pipeline(
              stages, forwarder, deps.clock(), new RequestOutcomes(deps.registry(), cfg.accessLog().enabled()), audit,
              new Cors(cfg.dataPlane().corsOrigins()));
      HttpServer server =
          vertx
              .createHttpServer(serverOptions(cfg.dataPlane(), deps.tls()))
              .connectionHandler(conn -> HeadDeadline.install(conn, REQUEST_HEAD_TIMEOUT))
              .requestHandler(pipeline::handle);
      return server.listen().onSuccess(s -> {
        port.set(s.actualPort());
        listening.accept(s);
      });
    }

    @Override
    public Future<?> stop() {
      return client == null ? Future.succeededFuture() : client.close();
    }
  }
}
