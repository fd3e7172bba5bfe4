package io.airlock.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DemoBackendTest {

  private static final long SEED = 7L;
  private static final String HOST = "127.0.0.1";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DemoData DATA = DemoData.generate(SEED);

  private int port;
  private WebClient web;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    web = WebClient.create(vertx);
    DemoBackend.start(vertx, HOST, 0, SEED)
        .onComplete(ctx.succeeding(server -> {
          port = server.actualPort();
          ctx.completeNow();
        }));
  }

  private Future<HttpResponse<Buffer>> send(HttpMethod method, String uri) {
    return web.request(method, port, HOST, uri).send();
  }

  /** Counts the entries of "transactions" without building a tree of 100,000 objects. */
  private static int countTransactions(Buffer body, String clientId) throws IOException {
    try (JsonParser p = MAPPER.getFactory().createParser(body.getBytes())) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      assertThat(p.nextFieldName()).isEqualTo("clientId");
      assertThat(p.nextTextValue()).isEqualTo(clientId);
      assertThat(p.nextFieldName()).isEqualTo("transactions");
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_ARRAY);
      int count = 0;
      while (p.nextToken() == JsonToken.START_OBJECT) {
        p.skipChildren();
        count++;
      }
      assertThat(p.currentToken()).isEqualTo(JsonToken.END_ARRAY);
      assertThat(p.nextToken()).isEqualTo(JsonToken.END_OBJECT);
      assertThat(p.nextToken()).as("nothing after the document").isNull();
      return count;
    }
  }

  @Test
  void getReturnsTheGeneratedRecord(VertxTestContext ctx) {
    send(HttpMethod.GET, "/clients/c-0042").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(r.bodyAsBuffer().getBytes())
          .isEqualTo(DATA.clientJson("c-0042").orElseThrow());
      ctx.completeNow();
    })));
  }

  @Test
  void repeatedGetsReturnTheWholeRecordEachTime(VertxTestContext ctx) {
    // The backend shares one rendered Buffer per client; a write that consumed it would leave
    // the second response empty.
    byte[] expected = DATA.clientJson("c-0001").orElseThrow();
    send(HttpMethod.GET, "/clients/c-0001")
        .compose(first -> send(HttpMethod.GET, "/clients/c-0001")
            .map(second -> new byte[][] {first.bodyAsBuffer().getBytes(),
                second.bodyAsBuffer().getBytes()}))
        .onComplete(ctx.succeeding(bodies -> ctx.verify(() -> {
          assertThat(bodies[0]).isEqualTo(expected);
          assertThat(bodies[1]).isEqualTo(expected);
          ctx.completeNow();
        })));
  }

  @Test
  void unknownClientIsJson404(VertxTestContext ctx) {
    Future.all(send(HttpMethod.GET, "/clients/c-9999"), send(HttpMethod.GET, "/clients/"),
            send(HttpMethod.GET, "/clients/c-0001/elsewhere"),
            send(HttpMethod.GET, "/clients/c-9999/transactions"), send(HttpMethod.GET, "/"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < all.size(); i++) {
            HttpResponse<Buffer> r = all.resultAt(i);
            assertThat(r.statusCode()).as("response %d", i).isEqualTo(404);
            assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
            assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
          }
          ctx.completeNow();
        })));
  }

  @Test
  void headAnswersLikeGetWithoutABody(VertxTestContext ctx) {
    int length = DATA.clientJson("c-0005").orElseThrow().length;
    Future.all(send(HttpMethod.HEAD, "/clients/c-0005"), send(HttpMethod.HEAD, "/clients/c-9999"),
            send(HttpMethod.HEAD, "/clients/c-0005/transactions"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> found = all.resultAt(0);
          assertThat(found.statusCode()).isEqualTo(200);
          assertThat(found.getHeader("Content-Type")).isEqualTo("application/json");
          assertThat(found.getHeader("Content-Length")).isEqualTo(Integer.toString(length));
          assertThat(found.body()).satisfiesAnyOf(b -> assertThat(b).isNull(),
              b -> assertThat(b.length()).isZero());
          HttpResponse<Buffer> missing = all.resultAt(1);
          assertThat(missing.statusCode()).isEqualTo(404);
          HttpResponse<Buffer> transactions = all.resultAt(2);
          assertThat(transactions.statusCode()).isEqualTo(200);
          assertThat(transactions.body()).satisfiesAnyOf(b -> assertThat(b).isNull(),
              b -> assertThat(b.length()).isZero());
          ctx.completeNow();
        })));
  }

  @Test
  void transactionsStreamOneDocumentOfTheRequestedCount(VertxTestContext ctx) {
    send(HttpMethod.GET, "/clients/c-0010/transactions?count=1234")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
          assertThat(r.getHeader("Transfer-Encoding")).isEqualTo("chunked");
          JsonNode doc = MAPPER.readTree(r.bodyAsBuffer().getBytes());
          assertThat(doc.get("clientId").asText()).isEqualTo("c-0010");
          assertThat(doc.get("transactions")).hasSize(1234);
          assertThat(doc.get("transactions").get(1233).get("id").asText()).isEqualTo("t-001234");
          assertThat(r.bodyAsBuffer().getBytes())
              .isEqualTo(DemoDataTest.drain(DATA.transactions("c-0010", 1234).orElseThrow()));
          ctx.completeNow();
        })));
  }

  @Test
  void transactionsDefaultToTwoThousand(VertxTestContext ctx) {
    send(HttpMethod.GET, "/clients/c-0200/transactions")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(countTransactions(r.bodyAsBuffer(), "c-0200")).isEqualTo(2000);
          ctx.completeNow();
        })));
  }

  @Test
  void unusableCountIs400(VertxTestContext ctx) {
    Future.all(send(HttpMethod.GET, "/clients/c-0001/transactions?count=abc"),
            send(HttpMethod.GET, "/clients/c-0001/transactions?count=-1"),
            send(HttpMethod.GET, "/clients/c-0001/transactions?count=100001"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < all.size(); i++) {
            HttpResponse<Buffer> r = all.resultAt(i);
            assertThat(r.statusCode()).as("response %d", i).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("bad_count");
          }
          ctx.completeNow();
        })));
  }

  @Test
  void stalledReaderStillGetsTheWholeMaximumDocument(Vertx vertx, VertxTestContext ctx) {
    // About 25 MB: far more than the loopback socket buffers hold, so while the reader is paused
    // the server must stop at writeQueueFull and carry on from its drain handler.
    HttpClientAgent client = vertx.createHttpClient();
    Buffer body = Buffer.buffer();
    client.request(HttpMethod.GET, port, HOST, "/clients/c-0099/transactions?count=100000")
        .compose(request -> request.send())
        .onComplete(ctx.succeeding(response -> {
          response.pause();
          response.handler(body::appendBuffer);
          response.exceptionHandler(ctx::failNow);
          response.endHandler(v -> ctx.verify(() -> {
            assertThat(countTransactions(body, "c-0099")).isEqualTo(100_000);
            ctx.completeNow();
          }));
          vertx.setTimer(300, t -> response.resume());
        }));
  }

  @Test
  void readerHangingUpMidStreamLeavesTheServerServing(Vertx vertx, VertxTestContext ctx) {
    HttpClientAgent client = vertx.createHttpClient();
    client.request(HttpMethod.GET, port, HOST, "/clients/c-0001/transactions?count=100000")
        .compose(request -> request.send())
        .compose(this::hangUpOnFirstChunk)
        .compose(v -> send(HttpMethod.GET, "/health"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          ctx.completeNow();
        })));
  }

  private Future<Void> hangUpOnFirstChunk(HttpClientResponse response) {
    Promise<Void> closed = Promise.promise();
    response.request().connection().closeHandler(closed::tryComplete);
    response.handler(chunk -> {
      response.handler(null);
      response.request().connection().close();
    });
    return closed.future();
  }

  @Test
  void healthAnswers200(VertxTestContext ctx) {
    send(HttpMethod.GET, "/health").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("ok");
      ctx.completeNow();
    })));
  }

  @Test
  void writesAreRefused(VertxTestContext ctx) {
    web.post(port, HOST, "/clients/c-0001").sendBuffer(Buffer.buffer("{}"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(405);
          assertThat(r.getHeader("Allow")).isEqualTo("GET, HEAD");
          ctx.completeNow();
        })));
  }
}
