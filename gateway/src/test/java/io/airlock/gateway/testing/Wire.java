package io.airlock.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * A byte-exact HTTP/1.1 client that, unlike {@link RawHttp}, parses the response and returns
 * as soon as one complete message arrived (Content-Length or chunked up to {@code 0\r\n\r\n}),
 * so keep-alive connections do not cost a quiet-period wait per test. It also tells a complete
 * body from one cut short: the thing an agent must never be fooled by.
 */
public final class Wire {
  private Wire() {}

  /** One response as the agent received it. */
  public static final class Response {
    /** Status of the first response line, or -1 when no HTTP/1.x response arrived. */
    public final int status;
    /** Header lines in order, names as sent. */
    public final List<String[]> headers;
    /** The body after chunked decoding (what arrived of it). */
    public final byte[] body;
    /** Every byte received, undecoded. */
    public final byte[] raw;
    /** True when the message ended as HTTP says it should (length reached or terminating chunk). */
    public final boolean complete;
    /** How reading ended: "complete", "eof", "reset", "timeout". */
    public final String ending;

    Response(int status, List<String[]> headers, byte[] body, byte[] raw, boolean complete, String ending) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.raw = raw;
      this.complete = complete;
      this.ending = ending;
    }

    public Optional<String> header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return Optional.of(h[1]);
        }
      }
      return Optional.empty();
    }

    public List<String> headers(String name) {
      List<String> out = new ArrayList<>();
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          out.add(h[1]);
        }
      }
      return out;
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String rawText() {
      return new String(raw, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      String r = rawText();
      return "status=" + status + " ending=" + ending + " raw=" + (r.length() > 600 ? r.substring(0, 600) + "..." : r);
    }
  }

  /** Sends {@code request} verbatim and reads one response; gives up after 5 s of silence. */
  public static Response exchange(int port, String request) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), Duration.ofSeconds(5));
  }

  public static Response exchange(int port, byte[] request, Duration quiet) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout((int) quiet.toMillis());
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException closedEarly) {
        // the server may answer and close before reading everything we sent: read what it said
      }
      return read(new java.io.BufferedInputStream(s.getInputStream()), false);
    }
  }

  /**
   * Reads one response from {@code in}. With {@code headOnly} the body is not read (HEAD, or when
   * the caller streams it via {@link #body}).
   */
  public static Response read(InputStream in, boolean headOnly) throws IOException {
    Recording rec = new Recording(in);
    String ending = "complete";
    int status = -1;
    List<String[]> headers = new ArrayList<>();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean complete = false;
    try {
      String statusLine = rec.line();
      if (statusLine == null) {
        return new Response(-1, headers, new byte[0], rec.bytes(), false, "eof");
      }
      if (!statusLine.startsWith("HTTP/1.")) {
        drain(rec);
        return new Response(-1, headers, new byte[0], rec.bytes(), false, "not-http1");
      }
      status = Integer.parseInt(statusLine.substring(9, 12));
      String line;
      while ((line = rec.line()) != null && !line.isEmpty()) {
        int colon = line.indexOf(':');
        headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
      }
      if (line == null) {
        return new Response(status, headers, new byte[0], rec.bytes(), false, "eof");
      }
      if (headOnly || status == 204 || status == 304 || (status >= 100 && status < 200)) {
        return new Response(status, headers, new byte[0], rec.bytes(), true, "complete");
      }
      InputStream b = body(rec, headers);
      byte[] buf = new byte[16384];
      int n;
      while ((n = b.read(buf)) >= 0) {
        body.write(buf, 0, n);
      }
      complete = true;
    } catch (SocketTimeoutException e) {
      ending = "timeout";
    } catch (EOFException e) {
      ending = "eof";
    } catch (IOException e) {
      ending = "reset";
    }
    return new Response(status, headers, body.toByteArray(), rec.bytes(), complete, complete ? "complete" : ending);
  }

  private static void drain(Recording rec) {
    try {
      while (rec.read() >= 0) {
        // keep what the server sent, for the assertion message
      }
    } catch (IOException ignored) {
      // timeout or reset: what arrived is recorded
    }
  }

  /**
   * The body of a response whose head was read, decoded: chunked up to the terminating chunk
   * (an early end of stream throws {@link EOFException}), Content-Length bytes, or until close.
   */
  public static InputStream body(InputStream in, List<String[]> headers) {
    String te = null;
    String cl = null;
    for (String[] h : headers) {
      if (h[0].equalsIgnoreCase("Transfer-Encoding")) {
        te = h[1];
      } else if (h[0].equalsIgnoreCase("Content-Length")) {
        cl = h[1];
      }
    }
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      return new ChunkedInputStream(in);
    }
    if (cl != null) {
      return new LimitedInputStream(in, Long.parseLong(cl));
    }
    return in;
  }

  /** Polls {@code condition} every 10 ms until it holds or {@code timeout} passes. */
  public static boolean poll(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(10_000_000L);
    }
  }

  /** Remembers every byte read through it. */
  private static final class Recording extends InputStream {
    private final InputStream in;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

    Recording(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int c = in.read();
      if (c >= 0) {
        seen.write(c);
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        seen.write(b, off, n);
      }
      return n;
    }

    /** A CRLF-terminated line, or null at end of stream before any byte. */
    String line() throws IOException {
      return readLine(this);
    }

    byte[] bytes() {
      return seen.toByteArray();
    }
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int len = b.length();
        if (len > 0 && b.charAt(len - 1) == '\r') {
          b.setLength(len - 1);
        }
        return b.toString();
      }
      b.append((char) c);
    }
    if (b.length() == 0) {
      return null;
    }
    throw new EOFException("stream ended inside a line: " + b);
  }

  /** Decodes {@code Transfer-Encoding: chunked}; throws {@link EOFException} if the stream ends early. */
  public static final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    ChunkedInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = readLine(in);
        if (size == null) {
          throw new EOFException("chunked body ended without its terminating chunk");
        }
        int semi = size.indexOf(';');
        left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (left == 0) {
          String trailer;
          do {
            trailer = readLine(in);
            if (trailer == null) {
              throw new EOFException("chunked body ended inside its trailer");
            }
          } while (!trailer.isEmpty());
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("chunked body ended inside a chunk");
      }
      left -= n;
      if (left == 0) {
        String crlf = readLine(in);
        if (crlf == null || !crlf.isEmpty()) {
          throw new IOException("chunk not followed by CRLF");
        }
      }
      return n;
    }
  }

  private static final class LimitedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    LimitedInputStream(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left == 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException(left + " bytes of the announced Content-Length never arrived");
      }
      left -= n;
      return n;
    }
  }
}
