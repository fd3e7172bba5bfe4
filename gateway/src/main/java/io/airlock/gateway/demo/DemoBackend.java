package io.airlock.gateway.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for a fintech's support backend: client records and transaction histories over
 * plain HTTP. It has no auth and keeps no records because it trusts the gateway in front of it,
 * exactly the position real backends are in.
 *
 * <p>Routes: {@code GET|HEAD /clients/{id}}, {@code GET|HEAD /clients/{id}/transactions?count=N}
 * (chunked, written only as fast as the reader takes it), {@code GET|HEAD /health}.
 */
public final class DemoBackend {

  public static final int DEFAULT_TRANSACTIONS = 2000;
  public static final int MAX_TRANSACTIONS = 100_000;

  private static final Logger LOG = LoggerFactory.getLogger(DemoBackend.class);

  private static final String CLIENTS = "/clients/";
  private static final String TRANSACTIONS = "/transactions";
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence GET_HEAD = HttpHeaders.createOptimized("GET, HEAD");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final Buffer NOT_FOUND = Buffer.buffer("{\"error\":\"not_found\"}");
  private static final Buffer BAD_COUNT = Buffer.buffer("{\"error\":\"bad_count\"}");
  private static final Buffer NOT_ALLOWED = Buffer.buffer("{\"error\":\"method_not_allowed\"}");
  private static final Buffer EMPTY = Buffer.buffer();
  private static final Buffer HEALTHY = Buffer.buffer("{\"status\":\"ok\"}");

  private final DemoData data;
  // Rendered once: the benchmarks hit this path tens of thousands of times a second. Sharing is
  // safe because Vert.x writes a slice of a Buffer, never the Buffer's own indices.
  private final Map<String, Buffer> records;

  private DemoBackend(DemoData data) {
    this.data = data;
    this.records = new HashMap<>();
    for (String id : data.clientIds()) {
      records.put(id, Buffer.buffer(data.clientJson(id).orElseThrow()));
    }
  }

  /** Starts a backend serving {@code DemoData.generate(seed)}; port 0 picks a free port. */
  public static Future<HttpServer> start(Vertx vertx, String host, int port, long seed) {
    return start(vertx, host, port, DemoData.generate(seed));
  }

  /** Starts a backend serving {@code data}; port 0 picks a free port. */
  public static Future<HttpServer> start(Vertx vertx, String host, int port, DemoData data) {
    DemoBackend backend = new DemoBackend(data);
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(backend::handle)
        .listen()
        .onSuccess(server -> LOG.info("demo backend on {}:{} (seed {}, {} clients)", host,
            server.actualPort(), data.seed(), data.clientIds().size()));
  }

  private void handle(HttpServerRequest request) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} agent={} ticket={}", request.method(), request.path(),
          request.getHeader("X-Airlock-Agent"), request.getHeader("X-Airlock-Ticket"));
    }
    String path = request.path();
    if (path.startsWith(CLIENTS)) {
      String rest = path.substring(CLIENTS.length());
      int slash = rest.indexOf('/');
      if (slash < 0) {
        client(request, rest);
      } else if (rest.substring(slash).equals(TRANSACTIONS)) {
        transactions(request, rest.substring(0, slash));
      } else {
        json(request.response(), 404, NOT_FOUND);
      }
    } else if (path.equals("/health")) {
      if (readMethod(request)) {
        json(request.response(), 200, HEALTHY);
      }
    } else {
      json(request.response(), 404, NOT_FOUND);
    }
  }

  private void client(HttpServerRequest request, String id) {
    if (!readMethod(request)) {
      return;
    }
    Buffer record = records.get(id);
    if (record == null) {
      json(request.response(), 404, NOT_FOUND);
    } else if (request.method() == HttpMethod.HEAD) {
      // Vert.x leaves Content-Length off HEAD responses; send the one GET would have.
      request.response()
          .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(record.length()));
      json(request.response(), 200, EMPTY);
    } else {
      json(request.response(), 200, record);
    }
  }

  private void transactions(HttpServerRequest request, String id) {
    if (!readMethod(request)) {
      return;
    }
    int count = count(request);
    if (count < 0) {
      json(request.response(), 400, BAD_COUNT);
      return;
    }
    Optional<TransactionFeed> feed = data.transactions(id, count);
    if (feed.isEmpty()) {
      json(request.response(), 404, NOT_FOUND);
      return;
    }
    HttpServerResponse response = request.response()
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
    if (request.method() == HttpMethod.HEAD) {
      response.end();
    } else {
      pump(response, feed.get());
    }
  }

  /** Writes parts while the connection takes them, then resumes from the drain handler. */
  private static void pump(HttpServerResponse response, TransactionFeed feed) {
    try {
      while (!feed.done() && !response.closed() && !response.writeQueueFull()) {
        response.write(Buffer.buffer(feed.next()));
      }
    } catch (RuntimeException e) {
      // Headers are out, so a status can no longer tell the client; a reset keeps a truncated
      // document from looking complete.
      LOG.error("transaction feed for {} failed", feed.clientId(), e);
      response.reset();
      return;
    }
    if (response.closed()) {
      return;
    }
    if (feed.done()) {
      response.end();
    } else {
      response.drainHandler(v -> pump(response, feed));
    }
  }

  /** The requested count, the default when absent, or -1 when unusable. */
  private static int count(HttpServerRequest request) {
    String value;
    try {
      value = request.getParam("count");
    } catch (IllegalArgumentException e) {
      return -1; // a malformed query string
    }
    if (value == null) {
      return DEFAULT_TRANSACTIONS;
    }
    try {
      int count = Integer.parseInt(value);
      return count <= MAX_TRANSACTIONS ? count : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean readMethod(HttpServerRequest request) {
    HttpMethod method = request.method();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
      return true;
    }
    request.response().putHeader(HttpHeaders.ALLOW, GET_HEAD);
    json(request.response(), 405, NOT_ALLOWED);
    return false;
  }

  private static void json(HttpServerResponse response, int status, Buffer body) {
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
        .end(body);
  }
}
