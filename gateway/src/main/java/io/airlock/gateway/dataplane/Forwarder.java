package io.airlock.gateway.dataplane;

import io.airlock.policy.config.DataPlaneConfig;
import io.airlock.policy.config.Route;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.StreamingMasker;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import java.net.URI;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Steps 9 to 11: sends the checked request to the route's backend with sanitised headers and
 * streams the response back: JSON masked with the route's profile, other types only on a
 * passthrough route that lists them, anything compressed or untyped refused. Headers go out only with
 * the first masked bytes, so a body that is unmaskable from its first chunk still gets a clean
 * 502; one that fails later gets a reset connection, never a body that looks complete.
 */
final class Forwarder {
  private final HttpClient client;
  private final DataPlaneConfig config;
  private final Map<String, MaskingProfile> profiles;
  private final BiFunction<MaskingProfile, Exchange, StreamingMasker> maskers;
  private final Watermarks watermarks;
  private final InFlight inFlight;
  private final RevocationCheck revocations;
  // one per https route, reused so pooled connections are shared by the route's exchanges
  private final Map<String, io.vertx.core.net.ClientSSLOptions> backendTls = new java.util.concurrent.ConcurrentHashMap<>();

  Forwarder(
      HttpClient client,
      DataPlaneConfig config,
      Map<String, MaskingProfile> profiles,
      BiFunction<MaskingProfile, Exchange, StreamingMasker> maskers,
      Watermarks watermarks,
      InFlight inFlight,
      RevocationCheck revocations) {
    this.inFlight = inFlight;
    this.revocations = revocations;
    this.client = client;
    this.config = config;
    this.profiles = profiles;
    this.maskers = maskers;
    this.watermarks = watermarks;
  }

  /** Completes with the status sent to the agent, or fails with the reason it was refused. */
  /** What reached the agent: status, body bytes, and whether a revocation cut it. */
  record Sent(int status, long bytes, boolean cut) {}

  Future<Sent> forward(Exchange ex) {
    Live live = new Live(ex);
    // Join the sweep's set first, then look at the snapshot again. A snapshot installed since
    // RevocationCheck (during the quota round trip or the audit fsync) is either swept after the
    // add, which cuts this exchange, or installed before the look below, which refuses it:
    // the set and the snapshot are both published safely, so one of the two always sees the other.
    inFlight.add(live);
    try {
      revocations.check(ex);
    } catch (Denied d) {
      // a sweep that also took it finds the refusal already written: its reset does nothing
      inFlight.remove(live);
      return Future.failedFuture(d);
    }
    Future<Sent> sent;
    try {
      sent = send(ex, live);
    } catch (RuntimeException e) {
      // refused before anything was sent (a chunked or oversized body): it must leave the set,
      // or every such request would stay in it for good
      inFlight.remove(live);
      throw e;
    }
    return sent.andThen(ar -> inFlight.remove(live));
  }

  /**
   * The exchange as the kill switch sees it: from the moment checks passed until the last byte,
   * a revocation that covers its grant resets both connections.
   */
  private static final class Live implements InFlight.Cuttable {
    private final Exchange ex;
    private final io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
    private HttpClientRequest backend;
    private boolean cut;
    // a suspension is not a revocation: the agent is told which one cut the exchange
    private Denied why;

    Live(Exchange ex) {
      this.ex = ex;
    }

    @Override
    public io.airlock.policy.grant.Grant grant() {
      return ex.grant();
    }

    @Override
    public io.vertx.core.Context context() {
      return context;
    }

    @Override
    public void cut(Denied why) {
      cut = true;
      this.why = new Denied(why.reason(), why.getMessage() + " while the request was in flight");
      if (backend != null) {
        backend.reset();
      }
      ex.request().response().reset();
    }
  }

  /** The route's CA bundle (else the JVM's trust store), its client certificate if any, TLS 1.2+, names verified. */
  private static io.vertx.core.net.ClientSSLOptions clientTls(Route route) {
    io.vertx.core.net.ClientSSLOptions o =
        new io.vertx.core.net.ClientSSLOptions()
            .setHostnameVerificationAlgorithm("HTTPS")
            .setEnabledSecureTransportProtocols(io.airlock.gateway.TlsFiles.PROTOCOLS);
    route.tls().ifPresent(t -> {
      o.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(t.caFile().toString()));
      if (t.certFile().isPresent() && t.keyFile().isPresent()) {
        o.setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
            .setCertPath(t.certFile().get().toString()).setKeyPath(t.keyFile().get().toString()));
      }
    });
    return o;
  }

  private Future<Sent> send(Exchange ex, Live live) {
    HttpServerRequest req = ex.request();
    Route route = ex.match().route();
    long bodyLength = requestBodyLength(req);
    URI backend = route.backend();
    boolean tls = "https".equalsIgnoreCase(backend.getScheme());
    int port = backend.getPort() > 0 ? backend.getPort() : (tls ? 443 : 80);
    RequestOptions opts =
        new RequestOptions()
            .setMethod(req.method())
            .setHost(backend.getHost())
            .setPort(port)
            .setSsl(tls)
            .setSslOptions(tls ? backendTls.computeIfAbsent(route.id(), id -> clientTls(route)) : null)
            .setURI(ex.path().forwardTarget(backend.getRawPath()))
            .setHeaders(HeaderSanitizer.forBackend(req.headers(), ex))
            .setConnectTimeout(config.backendConnectTimeout().toMillis())
            .setIdleTimeout(config.backendResponseTimeout().toMillis());
    return client
        .request(opts)
        .recover(err -> Future.failedFuture(new Denied(Reason.BACKEND_UNAVAILABLE, "backend unreachable: " + err.getMessage())))
        .compose(
            creq -> {
              live.backend = creq;
              if (live.cut) {
                creq.reset();
                return Future.failedFuture(live.why);
              }
              // if the agent goes away mid-exchange, stop reading from the backend too
              req.response().closeHandler(v -> creq.reset());
              Future<HttpClientResponse> sent;
              if (bodyLength > 0) {
                creq.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(bodyLength));
                sent = creq.send(req);
              } else {
                req.resume();
                sent = creq.send();
              }
              return sent.recover(
                  err ->
                      Future.failedFuture(
                          live.cut
                              // our own reset, not the backend's failure
                              ? live.why
                              : new Denied(Reason.BACKEND_UNAVAILABLE, "backend failed: " + err.getMessage())));
            })
        .compose(cresp -> respond(ex, route, cresp, live));
  }

  private long requestBodyLength(HttpServerRequest req) {
    if (req.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      // a length-less body is where request smuggling lives; support tools can send a length
      throw new Denied(Reason.BAD_REQUEST, "chunked request bodies are not accepted; send Content-Length");
    }
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (cl == null) {
      return 0;
    }
    long n;
    try {
      n = Long.parseLong(cl);
    } catch (NumberFormatException e) {
      throw new Denied(Reason.BAD_REQUEST, "invalid Content-Length");
    }
    if (n > config.maxRequestBodyBytes()) {
      throw new Denied(Reason.BODY_TOO_LARGE, "request body over " + config.maxRequestBodyBytes() + " bytes");
    }
    if (n > 0 && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD)) {
      // a read is scoped by its path alone: a body could select data the scope check never saw
      // (a search for other clients) on a backend that reads one
      throw new Denied(Reason.BAD_REQUEST, req.method() + " requests carry no body here (Content-Length " + n + ")");
    }
    return n;
  }

  private Future<Sent> respond(Exchange ex, Route route, HttpClientResponse cresp, Live live) {
    HttpServerResponse resp = ex.request().response();
    int status = cresp.statusCode();
    boolean noBody =
        ex.request().method() == HttpMethod.HEAD || status == 204 || status == 304 || (status >= 100 && status < 200);
    MaskingProfile profile = route.maskingProfile().map(profiles::get).orElse(null);
    boolean mask = false;
    if (!noBody) {
      BodyKind kind =
          BodyKind.of(cresp.headers().getAll(HttpHeaders.CONTENT_TYPE), cresp.headers().getAll(HttpHeaders.CONTENT_ENCODING));
      String refusal = refusal(kind, route, profile, cresp);
      if (refusal != null) {
        cresp.request().reset();
        return Future.failedFuture(new Denied(Reason.UNMASKABLE_RESPONSE, refusal));
      }
      mask = kind == BodyKind.MASKABLE_JSON;
    }
    resp.setStatusCode(status);
    // a body released as the backend sent it keeps its length and validators; a masked one, or
    // a bodyless answer on a masked route (HEAD: the unmasked length), does not
    HeaderSanitizer.copyResponse(cresp.headers(), resp.headers(), mask || (profile != null && noBody));
    resp.putHeader("X-Airlock-Request-Id", ex.requestId());
    resp.putHeader("X-Airlock-Watermark", watermarks.stamp(ex));
    resp.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    if (route.passthrough() && !mask) {
      // the backend's bytes, unread: a browser that opens the gateway URL must neither guess a
      // type from them nor run backend HTML or script with the gateway's origin
      resp.putHeader("X-Content-Type-Options", "nosniff");
      resp.putHeader("Content-Security-Policy", "sandbox");
    }
    if (noBody) {
      cresp.handler(null);
      cresp.resume();
      resp.end();
      return Future.succeededFuture(new Sent(status, 0, false));
    }
    ReadStream<Buffer> body = mask ? new MaskingReadStream(cresp, maskers.apply(profile, ex)) : cresp;
    if (mask || !resp.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      resp.setChunked(true);
    }
    long[] bytes = {0};
    return pump(body, resp, cresp, live, bytes).map(v -> new Sent(status, bytes[0], false));
  }

  private static Future<Void> pump(
      ReadStream<Buffer> body, HttpServerResponse resp, HttpClientResponse cresp, Live live, long[] bytes) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    body.exceptionHandler(
        err -> {
          cresp.request().reset();
          Denied d =
              live.cut
                  ? new Denied(Reason.GRANT_REVOKED, "cut mid-response after " + bytes[0] + " bytes: the grant was revoked")
                  : err instanceof Denied
                      ? (Denied) err
                      : new Denied(Reason.UNMASKABLE_RESPONSE, "response could not be masked: " + err.getMessage());
          done.tryFail(d);
        });
    // Each write is a flush, i.e. a syscall. A body that ends in the same event-loop turn as its
    // last chunk (every small response) goes out as one write with the chunked terminator
    // instead of two: a chunk waits at most until the end of the current turn, never for more
    // data, so streaming is unchanged.
    io.vertx.core.Context turn = io.vertx.core.Vertx.currentContext();
    Buffer[] held = {null};
    Runnable release = () -> {
      Buffer b = held[0];
      if (b != null) {
        held[0] = null;
        resp.write(b);
        if (resp.writeQueueFull()) {
          body.pause();
          resp.drainHandler(v -> body.resume());
        }
      }
    };
    body.endHandler(v -> {
      Buffer last = held[0];
      held[0] = null;
      (last == null ? resp.end() : resp.end(last)).onComplete(ar -> done.tryComplete());
    });
    body.handler(
        chunk -> {
          bytes[0] += chunk.length();
          release.run();
          held[0] = chunk;
          turn.runOnContext(v -> {
            if (!resp.ended() && !resp.closed() && !done.future().isComplete()) {
              release.run();
            }
          });
        });
    return done.future();
  }

  /**
   * Why the body may not reach the agent, or null when it may (masked if it is JSON). Passthrough
   * only ever releases a body explicitly typed as one of the route's listed types: a backend that
   * answers JSON, XML or CSV when asked ({@code ?format=json}, {@code Accept}) must not get it
   * out in clear.
   */
  private static String refusal(BodyKind kind, Route route, MaskingProfile profile, HttpClientResponse cresp) {
    String types = String.join(", ", cresp.headers().getAll(HttpHeaders.CONTENT_TYPE));
    String onRoute = route.passthrough() ? " on passthrough route " + route.id() : " on route " + route.id();
    switch (kind) {
      case ENCODED:
        return "backend sent a compressed body (Content-Encoding: "
            + String.join(", ", cresp.headers().getAll(HttpHeaders.CONTENT_ENCODING))
            + "), which the gateway cannot inspect";
      case MASKABLE_JSON:
      case UNMASKABLE_JSON:
        if (profile == null) {
          return "backend sent " + types + onRoute + ", which has no masking profile";
        }
        return kind == BodyKind.MASKABLE_JSON ? null : "backend sent Content-Type " + types + ", which cannot be masked";
      case UNTYPED:
        String what = types.isBlank() ? "a body without Content-Type" : "more than one Content-Type (" + types + ")";
        return route.passthrough()
            ? "backend sent " + what + onRoute + ", which may be JSON"
            : "backend sent " + what + ", which cannot be masked";
      case OTHER:
      default:
        if (!route.passthrough()) {
          return "backend sent Content-Type " + types + ", which cannot be masked";
        }
        // only what the operator listed: the agent picks Accept and the query, so a backend that
        // also renders XML, CSV or JSONP would otherwise release the record in that form
        // OTHER means exactly one non-blank Content-Type
        String type = cresp.headers().getAll(HttpHeaders.CONTENT_TYPE).stream()
            .filter(t -> !t.isBlank()).map(BodyKind::mediaType).findFirst().orElse("");
        return route.passthroughTypes().contains(type)
            ? null
            : "backend sent " + type + " on route " + route.id() + ", which releases only "
                + String.join(", ", route.passthroughTypes()) + " unmasked";
    }
  }
}
