package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.airlock.gateway.testing.Wire;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Large bodies stream through the masker with the backend's pace set by the agent's: a
 * fast reader gets every element masked, a slow reader holds the backend back instead of
 * making the gateway buffer the body.
 */
class StreamingTest extends OneGateway {

  /**
   * A backend body written as the transport allows: it writes until {@code writeQueueFull()}, then
   * waits for {@code drainHandler}. Counters say how far it got and whether it is held back now.
   */
  static final class StreamingBody {
    static final int PER_CHUNK = 128;
    final int elements;
    final AtomicLong written = new AtomicLong();
    final AtomicInteger drainWaits = new AtomicInteger();
    volatile boolean waitingForDrain;
    volatile boolean ended;
    volatile boolean closed;
    private int next;

    StreamingBody(int elements) {
      this.elements = elements;
    }

    void start(HttpServerResponse resp) {
      resp.setChunked(true).putHeader("Content-Type", "application/json");
      resp.closeHandler(v -> closed = true);
      pump(resp);
    }

    private void pump(HttpServerResponse resp) {
      while (!resp.writeQueueFull()) {
        if (closed) {
          return;
        }
        if (next >= elements) {
          resp.end(Buffer.buffer("]"));
          ended = true;
          return;
        }
        int n = Math.min(PER_CHUNK, elements - next);
        Buffer chunk = Buffer.buffer(element(next, n));
        next += n;
        resp.write(chunk);
        written.addAndGet(chunk.length());
      }
      drainWaits.incrementAndGet();
      waitingForDrain = true;
      resp.drainHandler(
          v -> {
            waitingForDrain = false;
            pump(resp);
          });
    }

    static String element(int from, int n) {
      StringBuilder b = new StringBuilder(n * 140);
      for (int i = from; i < from + n; i++) {
        b.append(i == 0 ? "[" : ",");
        b.append("{\"id\":\"c-").append(i).append("\",\"email\":\"user").append(i)
            .append("@example.com\",\"ssn\":\"123-45-6789\",\"notes\":\"card 4111111111111111\",\"status\":\"active\"}");
      }
      return b.toString();
    }

    /** Bytes of one element, near enough to size a body. */
    static int elementBytes() {
      return element(100_000, 1).length();
    }
  }

  @Test
  void a_50_mb_array_arrives_complete_and_fully_masked() throws Exception {
    int elements = 50 * 1024 * 1024 / StreamingBody.elementBytes();
    StreamingBody body = new StreamingBody(elements);
    gw.backend.respond(req -> body.start(req.response()));

    HttpRequest req =
        HttpRequest.newBuilder(gw.data("/clients/c-0001"))
            .header("Authorization", "Bearer " + grant)
            .timeout(Duration.ofSeconds(60))
            .build();
    long t0 = System.nanoTime();
    HttpResponse<InputStream> resp = gw.http.send(req, HttpResponse.BodyHandlers.ofInputStream());

    assertThat(resp.statusCode()).isEqualTo(200);
    // plain checks in the loop (an AssertJ call per value would dominate the run time)
    int count = 0;
    int outOfOrder = 0;
    int unmaskedEmails = 0;
    String firstRaw = null;
    try (InputStream in = resp.body();
        JsonParser p = new JsonFactory().createParser(in)) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_ARRAY);
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          String v = p.getText();
          if (firstRaw == null
              && (v.contains("@example.com") || v.contains("123-45-6789") || v.contains("4111111111111111"))) {
            firstRaw = count + "." + field + "=" + v;
          }
          if (field.equals("id") && !v.equals("c-" + count)) {
            outOfOrder++;
          } else if (field.equals("email") && !v.equals("u***@e***.com")) {
            unmaskedEmails++;
          }
        }
        count++;
      }
      assertThat(t).isEqualTo(JsonToken.END_ARRAY);
      assertThat(p.nextToken()).as("nothing after the array").isNull();
    }
    assertThat(firstRaw).as("a planted raw value reached the agent").isNull();
    // elements arrive whole and in order, each one masked
    assertThat(outOfOrder).isZero();
    assertThat(unmaskedEmails).isZero();
    assertThat(count).isEqualTo(elements);
    assertThat(body.ended).isTrue();
    assertThat(body.written.get()).isGreaterThan(50L * 1000 * 1000);
    System.out.println("50 MB streamed and checked in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  @Test
  void a_slow_reader_holds_the_backend_back_instead_of_the_gateway_buffering() throws Exception {
    int elements = 64 * 1024 * 1024 / StreamingBody.elementBytes();
    StreamingBody body = new StreamingBody(elements);
    gw.backend.respond(req -> body.start(req.response()));

    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096); // before connect, so the window stays small
      s.connect(new InetSocketAddress("127.0.0.1", gw.dataPort()), 5000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + grant + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = new BufferedInputStream(s.getInputStream(), 4096);
      Wire.Response head = Wire.read(in, true);
      assertThat(head.status).as(head.toString()).isEqualTo(200);
      InputStream bodyIn = Wire.body(in, head.headers);
      RawScan scan = new RawScan();
      scan.feed(bodyIn.readNBytes(4096));

      // the agent now reads nothing: the backend must end up blocked, its writes not progressing
      long[] last = {-1};
      int[] still = {0};
      boolean stalled =
          Wire.poll(
              Duration.ofSeconds(20),
              () -> {
                long w = body.written.get();
                still[0] = body.waitingForDrain && w == last[0] ? still[0] + 1 : 0;
                last[0] = w;
                return still[0] >= 20; // ~200 ms waiting for drain without a single write
              });
      long total = (long) elements * StreamingBody.elementBytes();
      long heldAt = body.written.get();
      assertThat(stalled).as("backend never held back; written " + heldAt + " of ~" + total).isTrue();
      assertThat(body.ended).as("backend finished while the agent had read 4 KB: the gateway buffered it").isFalse();
      assertThat(heldAt).as("bytes the backend got rid of while the agent read 4 KB").isLessThan(total / 2);

      // a slow reader: a few KB at a time, the backend stays behind
      long agentRead = 4096;
      for (int i = 0; i < 16; i++) {
        byte[] b = bodyIn.readNBytes(4096);
        scan.feed(b);
        agentRead += b.length;
        assertThat(body.ended).isFalse();
      }
      assertThat(body.written.get()).isLessThan(total / 2);
      assertThat(body.drainWaits.get()).isGreaterThan(0);

      assertThat(scan.rawHits).as("raw client data reached the agent").isZero();
      assertThat(scan.ids).as("elements in the first %d bytes", agentRead).isGreaterThan(100);
      System.out.println(
          "slow reader: backend held at " + heldAt + " bytes of ~" + total + "; agent read " + agentRead
              + "; drain waits " + body.drainWaits.get());
    }

    // the agent hung up: the gateway lets go of the backend too, which never finishes the body
    assertThat(Wire.poll(Duration.ofSeconds(10), () -> body.closed)).as("backend response still open").isTrue();
    assertThat(body.ended).isFalse();
  }

  /** Counts element ids and raw planted values across chunk boundaries. */
  static final class RawScan {
    private static final String[] RAW = {"@example.com", "123-45-6789", "4111111111111111"};
    private static final String ID = "{\"id\":\"c-";
    private String carry = "";
    int rawHits;
    int ids;

    void feed(byte[] b) {
      feed(b, b.length);
    }

    void feed(byte[] b, int n) {
      int fresh = carry.length();
      String s = carry + new String(b, 0, n, StandardCharsets.ISO_8859_1);
      for (String raw : RAW) {
        rawHits += count(s, raw, fresh);
      }
      ids += count(s, ID, fresh);
      // keep one byte less than the longest pattern, so a split match is still seen
      carry = s.substring(Math.max(0, s.length() - 15));
    }

    /** Matches that end in the new bytes (so none is counted twice). */
    private static int count(String s, String p, int fresh) {
      int c = 0;
      for (int i = s.indexOf(p); i >= 0; i = s.indexOf(p, i + 1)) {
        if (i + p.length() > fresh) {
          c++;
        }
      }
      return c;
    }
  }
}
