package io.airlock.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A Redis for tests. {@link #uri()} is the shared one: 127.0.0.1:6379 (or {@code
 * AIRLOCK_TEST_REDIS=host:port}) when it answers PING, otherwise a {@code redis-server} from PATH
 * started once for this JVM on a free port. {@link #startPrivate()} always starts a server of its
 * own, for tests that kill and restart it.
 *
 * <p>Servers started here run without persistence ({@code --save "" --appendonly no}), bound to
 * loopback, and are killed by PID when the JVM exits.
 */
public final class RedisSupport {
  private RedisSupport() {}

  static final String INSTALL_HINT =
      "no Redis answers at %s and there is no redis-server on PATH: install it with"
          + " `apt-get install -y redis-server` (or set AIRLOCK_TEST_REDIS=host:port)";
  static final Duration START_DEADLINE = Duration.ofSeconds(10);

  private static String shared;

  /** {@code redis://host:port} of a Redis that answers now. */
  public static synchronized String uri() {
    if (shared != null) {
      return shared;
    }
    String hostPort = System.getenv().getOrDefault("AIRLOCK_TEST_REDIS", "127.0.0.1:6379");
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    if (pings(host, port)) {
      shared = "redis://" + hostPort;
    } else {
      requireBinary("redis-server", hostPort);
      shared = startPrivate().uri();
    }
    return shared;
  }

  /** A key prefix no other test run uses, e.g. {@code airlock-test-3f9a0c1d:}. */
  public static String uniquePrefix() {
    byte[] b = new byte[6];
    ThreadLocalRandom.current().nextBytes(b);
    return "airlock-test-" + HexFormat.of().formatHex(b) + ":";
  }

  /** Deletes every key that starts with {@code prefix} (SCAN + DEL), and nothing else. */
  @SuppressWarnings("unchecked")
  public static void deleteKeys(String uri, String prefix) {
    HostPort hp = HostPort.of(uri);
    String cursor = "0";
    do {
      List<Object> page = (List<Object>) command(hp.host, hp.port, "SCAN", cursor, "MATCH", prefix + "*", "COUNT", "500");
      cursor = (String) page.get(0);
      List<Object> keys = (List<Object>) page.get(1);
      if (!keys.isEmpty()) {
        List<String> del = new ArrayList<>();
        del.add("DEL");
        keys.forEach(k -> del.add((String) k));
        command(hp.host, hp.port, del.toArray(String[]::new));
      }
    } while (!cursor.equals("0"));
  }

  /** A redis-server of the caller's own on a free port. */
  public static PrivateRedis startPrivate() {
    requireBinary("redis-server", "a private server");
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      try {
        return new PrivateRedis(port, start(port));
      } catch (IllegalStateException e) {
        last = e; // most likely someone took the port between probe and bind: try another
      }
    }
    throw last;
  }

  /**
   * A redis-server of the caller's own that also speaks TLS on {@link PrivateRedis#tlsPort()},
   * with {@code cert}/{@code key} and trusting {@code ca} for client certificates, which it
   * demands when {@code clientCertificates} is true. The plain port stays open on loopback for
   * probing and cleanup.
   */
  public static PrivateRedis startPrivateTls(Path cert, Path key, Path ca, boolean clientCertificates) {
    requireBinary("redis-server", "a private TLS server");
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      int tlsPort = freePort();
      String[] args = {"--tls-port", Integer.toString(tlsPort), "--tls-cert-file", cert.toString(), "--tls-key-file",
          key.toString(), "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", clientCertificates ? "yes" : "no"};
      try {
        return new PrivateRedis(port, tlsPort, args, start(port, args));
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  /** A running redis-server started by {@link #startPrivate()}. */
  public static final class PrivateRedis implements AutoCloseable {
    private final int port;
    private final int tlsPort;
    private final String[] args;
    private volatile Process process;

    private PrivateRedis(int port, Process process) {
      this(port, 0, new String[0], process);
    }

    private PrivateRedis(int port, int tlsPort, String[] args, Process process) {
      this.port = port;
      this.tlsPort = tlsPort;
      this.args = args;
      this.process = process;
    }

    public String uri() {
      return "redis://127.0.0.1:" + port;
    }

    public int port() {
      return port;
    }

    /** The TLS port of a server from {@link #startPrivateTls}. */
    public int tlsPort() {
      return tlsPort;
    }

    public long pid() {
      return process.pid();
    }

    /** SIGKILL by PID: no shutdown, no goodbye to clients, like a crash. */
    public void kill() {
      Process p = process;
      p.destroyForcibly();
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          throw new IllegalStateException("redis-server pid " + p.pid() + " did not die");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Kills the server if it runs and starts an empty one on the same port. */
    public void restart() {
      if (process.isAlive()) {
        kill();
      }
      process = start(port, args);
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        kill();
      }
    }
  }

  static Process start(int port, String... extraArgs) {
    List<String> cmd = new ArrayList<>(List.of(
        "redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no"));
    cmd.addAll(List.of(extraArgs));
    Process p;
    try {
      Path log = Files.createTempFile("airlock-redis-" + port + "-", ".log");
      log.toFile().deleteOnExit();
      p = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
    }
    Process started = p;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    Instant deadline = Instant.now().plus(START_DEADLINE);
    while (!pings("127.0.0.1", port)) {
      if (!p.isAlive() || Instant.now().isAfter(deadline)) {
        p.destroyForcibly();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING");
      }
      pause();
    }
    return p;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void requireBinary(String name, String where) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return;
      }
    }
    throw new IllegalStateException(String.format(INSTALL_HINT, where));
  }

  static boolean pings(String host, int port) {
    try {
      return "PONG".equals(command(host, port, "PING"));
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** The step of a poll-with-deadline loop (waiting on a process or a reconnect). */
  public static void pause() {
    Poll.step();
  }

  record HostPort(String host, int port) {
    static HostPort of(String uri) {
      String rest = uri.substring(uri.indexOf("://") + 3);
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        rest = rest.substring(0, slash);
      }
      int colon = rest.lastIndexOf(':');
      return new HostPort(rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1)));
    }
  }

  /**
   * One command over a fresh socket, RESP2, for probing and cleanup without a client library.
   * Returns a String (simple or bulk), Long, null, or a List of those.
   */
  public static Object command(String host, int port, String... args) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      s.setSoTimeout(5_000);
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      req.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      for (String a : args) {
        byte[] b = a.getBytes(StandardCharsets.UTF_8);
        req.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        req.writeBytes(b);
        req.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
      }
      OutputStream out = s.getOutputStream();
      out.write(req.toByteArray());
      out.flush();
      return read(s.getInputStream());
    } catch (IOException e) {
      throw new IllegalStateException("redis " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IllegalStateException("redis error: " + line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] b = in.readNBytes(n);
        in.readNBytes(2);
        return new String(b, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        return items;
      }
      default:
        throw new IOException("unexpected RESP type " + type);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        break;
      }
      b.write(c);
    }
    if (c == -1) {
      throw new IOException("connection closed");
    }
    return b.toString(StandardCharsets.UTF_8);
  }
}
