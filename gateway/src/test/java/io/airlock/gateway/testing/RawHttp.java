package io.airlock.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Speaks HTTP/1.1 over a plain socket, byte for byte, so tests can send what no well-behaved
 * client library would (absolute-form targets, duplicate headers, h2c prefaces).
 */
public final class RawHttp {
  private RawHttp() {}

  /**
   * Sends {@code request} verbatim and returns every byte the server sends until it closes the
   * connection or stays silent for {@code quietMillis}.
   */
  public static String exchange(int port, String request, int quietMillis) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(quietMillis);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException quiet) {
        // the server kept the connection open: what it sent so far is the answer
      } catch (IOException reset) {
        got.write("\n<<connection reset>>".getBytes(StandardCharsets.ISO_8859_1));
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Status code of the first response line, or -1 when the server sent no HTTP response. */
  public static int status(String response) {
    if (!response.startsWith("HTTP/1.")) {
      return -1;
    }
    return Integer.parseInt(response.substring(9, 12));
  }
}
