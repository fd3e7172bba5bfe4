package io.airlock.gateway.bench;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.ControlPlaneClient.Reply;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.RedisConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;

/**
 * Not a test: request → approve → grant fetch over HTTP against one node on the Redis store,
 * timed per call from the client (an upper bound on server time: loopback adds ~0.05 ms).
 * Run with {@code bench/approval-flow.sh [rounds] [warmup]}.
 */
public final class ApprovalFlowBench {
  private ApprovalFlowBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Path dir = Files.createTempDirectory("airlock-approval-bench-");
    RecordingBackend backend = RecordingBackend.start();
    AirlockConfig base = TestConfigs.config(dir, backend.uri());
    RedisConfig redis = RedisConfig.of(RedisSupport.uri()).withKeyPrefix(RedisSupport.uniquePrefix());
    AirlockConfig cfg =
        new AirlockConfig(
            base.configDir(), base.node(), base.dataPlane(), base.controlPlane(), base.grants(), base.revocation(),
            base.identity(), base.accessLog(), base.routes(), base.maskingProfiles(), base.policy(), base.audit(),
            Optional.of(redis));
    try (AirlockNode node = AirlockNode.start(cfg, Clock.systemUTC())) {
      ControlPlaneClient alice = ControlPlaneClient.login(node.controlPlanePort(), "alice");
      ControlPlaneClient maria = ControlPlaneClient.login(node.controlPlanePort(), "maria");
      long[] create = new long[rounds];
      long[] approve = new long[rounds];
      long[] fetch = new long[rounds];
      for (int i = -warmup; i < rounds; i++) {
        JsonObject ask =
            new JsonObject()
                .put("ticket", "SUP-" + (1000 + Math.abs(i)))
                .put("clients", new JsonArray().add("c-0001"))
                .put("reason", "benchmark of the approval flow");
        long t0 = System.nanoTime();
        Reply c = alice.post("/api/requests", ask);
        long t1 = System.nanoTime();
        String id = c.json().getString("id");
        Reply a = maria.post("/api/requests/" + id + "/approve", new JsonObject());
        long t2 = System.nanoTime();
        Reply f = alice.get("/api/requests/" + id);
        long t3 = System.nanoTime();
        if (c.status() != 201 || a.status() != 200 || f.json().getJsonObject("grant").getString("token") == null) {
          throw new IllegalStateException("flow failed: " + c + " / " + a + " / " + f);
        }
        if (i >= 0) {
          create[i] = t1 - t0;
          approve[i] = t2 - t1;
          fetch[i] = t3 - t2;
        }
      }
      System.out.printf("%-28s %8s %8s %8s %8s%n", "call (" + rounds + " rounds, ms)", "p50", "p90", "p99", "max");
      row("POST /api/requests", create);
      row("POST .../approve (signs)", approve);
      row("GET  .../{id} (grant)", fetch);
    } finally {
      backend.close();
    }
  }

  private static void row(String name, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf("%-28s %8.2f %8.2f %8.2f %8.2f%n", name, ms(pct(s, 50)), ms(pct(s, 90)), ms(pct(s, 99)), ms(s[s.length - 1]));
  }

  private static long pct(long[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }
}
