package io.airlock.gateway.bench;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisRevocationStore;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.ControlPlaneClient.Reply;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.NodeConfig;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.grant.Action;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Kill propagation across three gateway nodes on one Redis (a benchmark, not a test; run by
 * {@code bench/kill-propagation.sh}). Nodes are real {@link AirlockNode}s in this JVM, each with
 * its own Vert.x and Redis connections; the kill-all goes through node A's control-plane API as
 * security, like the button would.
 *
 * <p>Measured per kill, from just before the HTTP call: the moment each node's data plane starts
 * rejecting the old grant (its revocation snapshot with the new epoch is installed: the data plane
 * reads that snapshot and nothing else), and the moment the API answered (which it does only once
 * every live node acknowledged). Then, in separate rounds, a masked response streaming through
 * node C: from the kill-all call until the agent's connection is cut.
 *
 * <p>Arguments: {@code [kills=300] [cutRounds=50] [warmup=50]}. Redis: {@code
 * AIRLOCK_TEST_REDIS=host:port} or 127.0.0.1:6379 (keys under a unique prefix, removed after).
 */
public final class KillPropagationBench {
  private KillPropagationBench() {}

  public static void main(String[] args) throws Exception {
    int kills = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int cutRounds = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    String prefix = RedisSupport.uniquePrefix();
    String redisUri = RedisSupport.uri();
    Path dir = Files.createTempDirectory("airlock-kill-bench-");

    RecordingBackend backend = RecordingBackend.start();
    backend.respond(req -> stream(backend, req.response()));
    AirlockConfig base = TestConfigs.config(dir, backend.uri());
    RedisConfig redis = RedisConfig.of(redisUri).withKeyPrefix(prefix);
    List<AirlockNode> nodes = new ArrayList<>();
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      for (String id : List.of("node-a", "node-b", "node-c")) {
        nodes.add(AirlockNode.start(forNode(base, id, redis), Clock.systemUTC()));
      }
      AirlockNode a = nodes.get(0);
      AirlockNode c = nodes.get(2);
      ControlPlaneClient sam = ControlPlaneClient.login(a.controlPlanePort(), "sam");

      // when each node installs the snapshot that rejects grants below the target epoch
      AtomicLong target = new AtomicLong(Long.MAX_VALUE);
      AtomicLongArray appliedAt = new AtomicLongArray(nodes.size());
      for (int i = 0; i < nodes.size(); i++) {
        int n = i;
        nodes.get(i).revocations().onChange(s -> {
          if (s.epoch() >= target.get()) {
            appliedAt.compareAndSet(n, 0, System.nanoTime());
          }
        });
      }

      for (int i = 0; i < warmup; i++) {
        kill(sam);
      }
      long[] api = new long[kills];
      long[][] perNode = new long[nodes.size()][kills];
      long[] slowest = new long[kills];
      int lateAcks = 0;
      int notAppliedAtAnswer = 0;
      for (int k = 0; k < kills; k++) {
        long expected = a.revocations().epoch() + 1;
        for (int i = 0; i < nodes.size(); i++) {
          appliedAt.set(i, 0);
        }
        target.set(expected);
        long t0 = System.nanoTime();
        Reply r = kill(sam);
        long t1 = System.nanoTime();
        api[k] = t1 - t0;
        if (!"3/3".equals(r.json().getString("acknowledged")) || r.json().getLong("epoch") != expected) {
          lateAcks++;
        }
        for (int i = 0; i < nodes.size(); i++) {
          long at = appliedAt.get(i);
          if (at == 0) {
            notAppliedAtAnswer++;
            at = t1;
          }
          perNode[i][k] = at - t0;
          slowest[k] = Math.max(slowest[k], at - t0);
        }
        // kill-alls are rare events: let the nodes' follow-up reloads finish before the next one
        TimeUnit.MILLISECONDS.sleep(10);
      }

      // the same kills straight into the store: Redis + pub/sub + the nodes' apply, no HTTP or staff auth
      long[] direct = new long[kills];
      try (RedisConnector bench = RedisConnector.connect(redis).toCompletableFuture().get(10, TimeUnit.SECONDS)) {
        RedisRevocationStore store = new RedisRevocationStore(bench, Clock.systemUTC(), a.config().grants().revocableAfterExpiry());
        for (int k = 0; k < kills; k++) {
          long expected = a.revocations().epoch() + 1;
          for (int i = 0; i < nodes.size(); i++) {
            appliedAt.set(i, 0);
          }
          target.set(expected);
          long t0 = System.nanoTime();
          store.killAll(expected - 1, false).toCompletableFuture().get(5, TimeUnit.SECONDS);
          while (!allSet(appliedAt)) {
            Thread.onSpinWait();
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(5)) {
              throw new IllegalStateException("a node did not apply a kill within 5 s");
            }
          }
          for (int i = 0; i < nodes.size(); i++) {
            direct[k] = Math.max(direct[k], appliedAt.get(i) - t0);
          }
          TimeUnit.MILLISECONDS.sleep(10);
        }
      }

      GrantSigner signer = new GrantSigner(a.keys(), TestConfigs.ISSUER, Clock.systemUTC());
      long[] cutFromCall = new long[cutRounds];
      long[] cutFromAnswer = new long[cutRounds];
      int notCut = 0;
      for (int k = 0; k < cutRounds; k++) {
        String token =
            signer
                .sign(new GrantClaims("alice", "SUP-1", List.of("c-slow"), Set.of(Action.READ), Set.of(), "req-1",
                    List.of("maria"), c.revocations().epoch(), Duration.ofMinutes(5)))
                .token();
        try (Socket socket = new Socket("127.0.0.1", c.dataPlanePort())) {
          socket.setSoTimeout(30_000);
          InputStream in = socket.getInputStream();
          OutputStream out = socket.getOutputStream();
          out.write(("GET /clients/c-slow HTTP/1.1\r\nHost: airlock\r\nAuthorization: Bearer " + token + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          // the head and the first chunks arrive before the kill
          byte[] first = new byte[512];
          int got = 0;
          while (got < first.length) {
            int n = in.read(first, got, first.length - got);
            if (n < 0) {
              throw new IllegalStateException("stream ended before the kill: " + new String(first, 0, got, StandardCharsets.ISO_8859_1));
            }
            got += n;
          }
          Future<Long> ended = pool.submit(() -> {
            drain(in);
            return System.nanoTime();
          });
          long t0 = System.nanoTime();
          kill(sam);
          long t1 = System.nanoTime();
          long end = ended.get(20, TimeUnit.SECONDS);
          cutFromCall[k] = end - t0;
          cutFromAnswer[k] = Math.max(0, end - t1);
          if (end - t0 > TimeUnit.SECONDS.toNanos(5)) {
            notCut++;
          }
        }
        TimeUnit.MILLISECONDS.sleep(10);
      }

      System.out.printf("kill propagation: 3 nodes, %d kill-alls after %d warm-up, Redis %s%n", kills, warmup, redis.redactedUris());
      System.out.println("                                     p50 ms   p90 ms   p99 ms   max ms");
      row("API answered (all nodes acked)", api);
      for (int i = 0; i < nodes.size(); i++) {
        row(nodes.get(i).config().node().id() + " rejects old grant", perNode[i]);
      }
      row("slowest node rejects old grant", slowest);
      row("store.killAll, slowest node applied", direct);
      row("in-flight cut, from the call", cutFromCall);
      row("in-flight cut, after the answer", cutFromAnswer);
      System.out.printf(
          "answers without 3/3 acks: %d; nodes not yet applied when the API answered: %d; streams not cut within 5 s: %d of %d%n",
          lateAcks, notAppliedAtAnswer, notCut, cutRounds);
    } finally {
      pool.shutdownNow();
      for (AirlockNode n : nodes) {
        n.close();
      }
      backend.close();
      RedisSupport.deleteKeys(redisUri, prefix);
    }
  }

  private static boolean allSet(AtomicLongArray a) {
    for (int i = 0; i < a.length(); i++) {
      if (a.get(i) == 0) {
        return false;
      }
    }
    return true;
  }

  private static Reply kill(ControlPlaneClient sam) throws Exception {
    Reply r = sam.post("/api/kill-all", new JsonObject().put("reason", "benchmark").put("lockdown", false));
    if (r.status() != 200) {
      throw new IllegalStateException("kill-all failed: " + r);
    }
    return r;
  }

  private static void drain(InputStream in) {
    byte[] buf = new byte[8192];
    try {
      while (in.read(buf) >= 0) {
        // until the gateway cuts the connection
      }
    } catch (java.io.IOException cut) {
      // reset: that is the cut
    }
  }

  /** A JSON array streamed for 20 s, one record every 20 ms. */
  private static void stream(RecordingBackend backend, HttpServerResponse resp) {
    resp.putHeader("Content-Type", "application/json").setChunked(true).write("[");
    AtomicLong left = new AtomicLong(1000);
    long timer =
        backend.vertx().setPeriodic(20, id -> {
          if (left.decrementAndGet() > 0) {
            resp.write("{\"id\":\"c-slow\",\"name\":\"Ada\",\"email\":\"ada@example.com\"},");
          } else {
            backend.vertx().cancelTimer(id);
            resp.end("{}]");
          }
        });
    resp.closeHandler(v -> backend.vertx().cancelTimer(timer));
  }

  private static AirlockConfig forNode(AirlockConfig base, String id, RedisConfig redis) {
    return base.withNode(new NodeConfig(id)).withRedis(Optional.of(redis));
  }

  private static void row(String name, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf("%-34s %8.2f %8.2f %8.2f %8.2f%n", name, ms(pct(s, 50)), ms(pct(s, 90)), ms(pct(s, 99)), ms(s[s.length - 1]));
  }

  private static long pct(long[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }
}
