package io.airlock.gateway.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A real HTTP backend on loopback that records every request it receives, so tests can assert
 * what crossed the gateway (and that nothing did). Responses are scripted per test.
 */
public final class RecordingBackend implements AutoCloseable {
  /** One request as the backend saw it. */
  public record Seen(String method, String uri, MultiMap headers, Buffer body) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile Consumer<HttpServerRequest> responder = r -> r.response().end();

  private RecordingBackend(Vertx vertx) throws Exception {
    this.vertx = vertx;
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
                              seen.add(new Seen(req.method().name(), req.uri(), copy, body));
                              responder.accept(req);
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
  }

  public static RecordingBackend start() throws Exception {
    return new RecordingBackend(Vertx.vertx());
  }

  /** Replaces how the backend answers. */
  public RecordingBackend respond(Consumer<HttpServerRequest> r) {
    this.responder = r;
    return this;
  }

  /** Answers every request with this JSON body. */
  public RecordingBackend json(String body) {
    return respond(r -> r.response().putHeader("Content-Type", "application/json").end(body));
  }

  public List<Seen> seen() {
    return seen;
  }

  public Seen last() {
    return seen.get(seen.size() - 1);
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }
}
