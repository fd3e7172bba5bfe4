package io.airlock.gateway;

import io.airlock.gateway.config.ConfigException;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.gateway.demo.DemoBackend;
import io.airlock.gateway.grant.GrantCli;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.grant.IssuedGrant;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.Route;
import io.airlock.policy.grant.Action;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** The {@code airlock} command line: {@code demo | serve | grant | check-config}. */
public final class Main {
  static final String USAGE =
      String.join(
          "\n",
          "usage: airlock <command> [options]",
          "",
          "commands:",
          "  demo [--config DIR]           gateway + demo backend on loopback, with a ready-to-paste curl",
          "                                (default config: config/demo)",
          "  serve --config DIR            run a gateway node",
          "  demo-backend [--port 9090]    only the demo backend, for nodes started with serve",
          "  check-config --config DIR     validate a config directory, print the effective config with secrets",
          "                                redacted, and exit (0 = valid, 78 = invalid)",
          "  grant --agent A --ticket T --clients c1,c2 [--unmask email,phone] [--actions read] [--ttl 10m]",
          "        [--config DIR]          mint a grant from the local signing key (developer tool)",
          "  keys generate --kid K --out FILE   new EC P-256 signing key (private JWK, mode 0600)",
          "  keys list [--config DIR]      each kid: active, published not yet active, or verifying only, and when",
          "                                the last grant it signed expires (default config: config)",
          "  audit verify FILE|DIR...      check the hash chain of audit logs (exit 0 = intact)",
          "  watermark verify STRING [--config DIR]",
          "                                check an X-Airlock-Watermark's MAC (exit 0 = genuine)",
          "  watermark trace TOKEN --value V [--agents a,b] [--config DIR]",
          "                                which agent was shown this hmac token for value V",
          "  --help                        this text",
          "",
          "Every command that reads configuration refuses to start on any error and lists them all,",
          "each as <file>: <key>: <problem>.");

  private Main() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(List.of(args), System.out, System.err));
  }

  static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
      out.println(USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    String cmd = args.get(0);
    List<String> rest = new ArrayList<>(args.subList(1, args.size()));
    if (cmd.equals("keys")) {
      return io.airlock.gateway.grant.KeysCli.run(rest, home().resolve("config"), out, err);
    }
    if (cmd.equals("demo-backend")) {
      int port = Integer.parseInt(takeOption(rest, "--port").orElse("9090"));
      Vertx v = Vertx.vertx();
      AirlockNode.await(DemoBackend.start(v, "127.0.0.1", port, 42L));
      out.println("demo backend on http://127.0.0.1:" + port + " (unmasked source data; Ctrl-C stops it)");
      new CountDownLatch(1).await();
      return 0;
    }
    if (cmd.equals("audit")) {
      // needs no configuration: an auditor may verify files copied off the machine
      return io.airlock.gateway.audit.AuditCli.run(rest, out, err);
    }
    Path defaultConfig = home().resolve(cmd.equals("serve") || cmd.equals("check-config") ? "config" : "config/demo");
    Path configDir = takeOption(rest, "--config").map(Path::of).orElse(defaultConfig);
    AirlockConfig config;
    switch (cmd) {
      case "demo":
      case "serve":
      case "check-config":
      case "grant":
      case "watermark":
        try {
          config = ConfigLoader.load(configDir);
        } catch (ConfigException e) {
          err.println("airlock: configuration in " + configDir.toAbsolutePath() + " is invalid:");
          err.println(e.getMessage());
          return 78; // EX_CONFIG
        }
        break;
      default:
        err.println("airlock: unknown command '" + cmd + "'\n");
        err.println(USAGE);
        return 2;
    }
    switch (cmd) {
      case "watermark":
        return io.airlock.gateway.attribution.WatermarkCli.run(rest, config, out, err);
      case "check-config":
        out.println("# configuration in " + configDir.toAbsolutePath() + " is valid: "
            + config.routes().size() + " route(s), " + config.maskingProfiles().size() + " masking profile(s)");
        out.println("# effective configuration (defaults filled in; each secret shown by where it comes from, a file or an"
            + " environment variable, never by its value):");
        out.print(io.airlock.gateway.config.EffectiveConfig.yaml(config));
        return 0;
      case "grant":
        if (config.identity().mode() != io.airlock.policy.config.IdentityConfig.Mode.DEMO) {
          // outside the demo, grants come only from approved requests
          err.println("airlock grant: refused: this is a developer tool for demo configurations (identity.mode: demo); "
              + configDir.toAbsolutePath() + " uses " + config.identity().mode().name().toLowerCase(java.util.Locale.ROOT));
          return 2;
        }
        return GrantCli.run(rest, io.airlock.gateway.grant.SigningKeys.load(config.grants(), Clock.systemUTC().instant()),
            config.grants().issuer(),
            config.policy().maxGrantTtl(),
            Clock.systemUTC(), out, err);
      case "serve":
        if (!rest.isEmpty()) {
          err.println("airlock serve: unexpected arguments " + rest);
          return 2;
        }
        Started started = startNode("serve", config, err);
        if (started.node() == null) {
          return started.exitCode();
        }
        awaitShutdown(started.node(), null);
        return 0;
      default:
        return demo(config, rest, out, err);
    }
  }

  private static int demo(AirlockConfig config, List<String> rest, PrintStream out, PrintStream err) throws Exception {
    if (!rest.isEmpty()) {
      err.println("airlock demo: unexpected arguments " + rest);
      return 2;
    }
    URI backend = config.routes().stream().map(Route::backend).findFirst().orElseThrow();
    Vertx backendVertx = Vertx.vertx();
    AirlockNode.await(DemoBackend.start(backendVertx, backend.getHost(), backend.getPort(), 42L));
    Started started = startNode("demo", config, err);
    if (started.node() == null) {
      backendVertx.close();
      return started.exitCode();
    }
    AirlockNode node = started.node();
    GrantSigner signer = new GrantSigner(node.keys(), config.grants().issuer(), Clock.systemUTC());
    IssuedGrant grant =
        signer.sign(
            new GrantClaims(
                "alice", "SUP-1234", List.of("c-0001", "c-0002"), Set.of(Action.READ), Set.of(), "demo",
                List.of("maria"), node.revocations().epoch(), Duration.ofMinutes(15)));
    String dataPlane = "http://" + config.dataPlane().host() + ":" + node.dataPlanePort();
    String curl = "curl -s -H 'Authorization: Bearer " + grant.token() + "' " + dataPlane + "/clients/c-0001";
    out.println();
    out.println("Airlock demo is running (single node, in-process state; Ctrl-C stops it).");
    out.println("  data plane      " + dataPlane);
    out.println("  control plane   http://" + config.controlPlane().host() + ":" + node.controlPlanePort()
        + "   (JWKS /.well-known/jwks.json, /health/ready, /metrics)");
    out.println("  demo backend    " + backend + "   (unmasked source data; never exposed to agents)");
    out.println("  approvals UI    http://" + config.controlPlane().host() + ":" + node.controlPlanePort() + "/"
        + "   (sign in as alice or bob (agents), maria or omar (managers), sam (security))");
    out.println();
    out.println("A demo grant for agent alice, ticket SUP-1234, clients c-0001 and c-0002, valid 15 minutes:");
    out.println();
    out.println(curl);
    out.println();
    HttpResponse<String> sample =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(dataPlane + "/clients/c-0001"))
                    .header("Authorization", "Bearer " + grant.token())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    out.println("What it returns (HTTP " + sample.statusCode() + ", masked while streaming):");
    out.println(sample.body());
    out.println();
    out.println("Try c-0003 (not in the grant: 403 out_of_scope). The README walks the whole flow with curl:");
    out.println("request as alice, approve as maria, read with the grant, kill everything as sam.");
    awaitShutdown(node, backendVertx);
    return 0;
  }

  /** A running node, or none and the exit code that says why. */
  private record Started(AirlockNode node, int exitCode) {}

  /**
   * Starts the node, or says in one line why it cannot (no stack trace: the message names the
   * file, key or address) and which exit code that is: 78 for configuration the node cannot use
   * ({@link RefusedToStart}: key and certificate files unreadable, exposed or unwritable), 1 for
   * what is outside it or may pass (Redis unreachable, a port in use, anything else).
   */
  private static Started startNode(String cmd, AirlockConfig config, PrintStream err) throws Exception {
    try {
      return new Started(AirlockNode.start(config, Clock.systemUTC()), 0);
    } catch (RefusedToStart | io.airlock.gateway.grant.SigningKeyException
        | io.airlock.gateway.attribution.AttributionKeyException e) {
      err.println("airlock " + cmd + ": " + e.getMessage());
      return new Started(null, 78);
    } catch (IllegalStateException e) {
      // anything else may pass on its own (a restart may help): one line, and 1, not 78
      err.println("airlock " + cmd + ": cannot start: " + e.getMessage());
      return new Started(null, 1);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof io.airlock.gateway.store.redis.RedisUnavailableException r) {
        // unreachable, wrong password, a certificate that does not verify: the message says which
        err.println("airlock " + cmd + ": " + r.getMessage());
        return new Started(null, 1);
      }
      if (e.getCause() instanceof java.net.BindException b) {
        err.println("airlock " + cmd + ": cannot listen (" + b.getMessage() + ") on dataPlane "
            + config.dataPlane().host() + ":" + config.dataPlane().port() + " or controlPlane "
            + config.controlPlane().host() + ":" + config.controlPlane().port()
            + " of airlock.yaml: another process holds the port, or the address is not this machine's");
        return new Started(null, 1);
      }
      throw e;
    }
  }

  /**
   * Blocks until SIGTERM or SIGINT, then stops the node gracefully ({@link AirlockNode#close})
   * and returns, so the process exits 0: a JVM shutdown hook alone would stop the same way but
   * exit 143, which orchestrators read as a crash. The hook stays for every other way out.
   */
  private static void awaitShutdown(AirlockNode node, Vertx extra) throws InterruptedException {
    CountDownLatch requested = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable stop =
        () -> {
          if (!stopping.compareAndSet(false, true)) {
            awaitQuietly(stopped);
            return;
          }
          try {
            node.close();
            if (extra != null) {
              extra.close().toCompletionStage().toCompletableFuture().get();
            }
          } catch (Exception e) {
            System.err.println("airlock: error while stopping: " + e);
          } finally {
            stopped.countDown();
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "airlock-shutdown"));
    for (String sig : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> requested.countDown());
      } catch (IllegalArgumentException unsupported) {
        // this platform keeps the JVM's own handling: the shutdown hook still stops gracefully
      }
    }
    try {
      // certificates replaced on disk are picked up without a restart or a dropped connection
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> node.reloadCertificates());
    } catch (IllegalArgumentException unsupported) {
      // no SIGHUP here: restart the node to pick up new certificates
    }
    requested.await();
    stop.run();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The repository (or install) root: AIRLOCK_HOME from the launcher, else the working dir. */
  static Path home() {
    String h = System.getenv("AIRLOCK_HOME");
    return h != null && !h.isBlank() ? Path.of(h) : Path.of("").toAbsolutePath();
  }

  private static java.util.Optional<String> takeOption(List<String> args, String name) {
    int i = args.indexOf(name);
    if (i < 0) {
      return java.util.Optional.empty();
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    String v = args.get(i + 1);
    args.remove(i + 1);
    args.remove(i);
    return java.util.Optional.of(v);
  }
}
