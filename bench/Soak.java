// Load generator and checker for bench/soak.sh, run as a single-file program on the gateway jar's
// classpath (like BenchTool.java):
//   java -cp gateway/target/airlock.jar bench/Soak.java load --out DIR --config DIR --seconds N
//        --rate R --kill-every S --data a=URL,b=URL --control a=URL,b=URL
//   java -cp gateway/target/airlock.jar bench/Soak.java check --out DIR [--max-staleness-ms 1000]
//
// load: a fixed request rate, round robin over the nodes, open loop (a slow answer never delays
// the next send). Every request is one line of requests.csv. A kill-all every S seconds through a
// control plane (alternating nodes); after each, grants are minted at the new epoch with the code
// of `airlock grant` (GrantCli) and the old ones move to a "killed" pool that keeps being used.
// It also polls /api/status: an epoch it did not cause (Redis came back empty and the nodes
// re-seeded it) counts as a kill too, and a lockdown is lifted as the runbook says.
// check: reads what load and soak.sh wrote and prints the report (exit 1 when a check fails).
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.gateway.grant.GrantCli;
import io.airlock.gateway.grant.SigningKeys;
import io.airlock.policy.config.AirlockConfig;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

public class Soak {
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      opts.put(args[i], args[i + 1]);
    }
    switch (args[0]) {
      case "load" -> new Load(opts).run();
      case "check" -> System.exit(new Check(opts).run());
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  static Map<String, String> nodes(String spec) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String[] kv = part.split("=", 2);
      m.put(kv[0], kv[1]);
    }
    return m;
  }

  /** Wall-clock milliseconds read from one monotonic clock, so every time in the run compares exactly. */
  static final class Timeline {
    final long wall0 = System.currentTimeMillis();
    final long nano0 = System.nanoTime();

    double now() {
      return wall0 + (System.nanoTime() - nano0) / 1e6;
    }
  }

  record Grant(String token, String jti, long epoch, String agent) {}

  // ---------------------------------------------------------------------------------------------
  static final class Load {
    static final List<String> AGENTS = List.of("alice", "bob", "carol");
    static final String OUT_OF_SCOPE = "c-0003";

    final Path out;
    final AirlockConfig config;
    final SigningKeys keys;
    final long seconds;
    final double rate;
    final long killEveryMs;
    final Map<String, String> data;
    final Map<String, String> control;
    final Timeline time = new Timeline();
    final HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    final Map<String, String> staffTokens = new HashMap<>();
    volatile List<Grant> current;
    /** Grants of earlier epochs, newest generation last; requests keep using them to prove they are dead. */
    final List<List<Grant>> killed = Collections.synchronizedList(new ArrayList<>());
    final BufferedWriter requests;
    final BufferedWriter kills;
    final AtomicInteger outstanding = new AtomicInteger();
    volatile boolean done;

    Load(Map<String, String> o) throws Exception {
      out = Path.of(o.get("--out"));
      config = ConfigLoader.load(Path.of(o.get("--config")));
      keys = SigningKeys.load(config.grants());
      seconds = Long.parseLong(o.get("--seconds"));
      rate = Double.parseDouble(o.get("--rate"));
      killEveryMs = Long.parseLong(o.get("--kill-every")) * 1000;
      data = nodes(o.get("--data"));
      control = nodes(o.get("--control"));
      requests = Files.newBufferedWriter(out.resolve("requests.csv"));
      requests.write("seq,node,class,agent,jti,epoch,client,sent_ms,answered_ms,status,reason,request_id,bytes\n");
      kills = Files.newBufferedWriter(out.resolve("kills.csv"));
      kills.write("kind,node,sent_ms,answered_ms,status,epoch,acknowledged,detail\n");
    }

    void run() throws Exception {
      for (String n : control.keySet()) {
        login(n);
      }
      JsonNode status = statusOf(control.keySet().iterator().next());
      long epoch = status == null ? 0 : status.path("epoch").asLong();
      current = mint(epoch);
      double start = time.now();
      System.out.printf(Locale.ROOT, "LOAD_START %.0f%n", start);
      System.out.flush();
      Thread controller = new Thread(this::control, "soak-control");
      controller.start();

      long interval = (long) (1e9 / rate);
      long t0 = System.nanoTime();
      long end = t0 + seconds * 1_000_000_000L;
      List<String> nodeNames = List.copyOf(data.keySet());
      long late = 0;
      long seq = 0;
      for (; ; seq++) {
        long due = t0 + seq * interval;
        if (due >= end) {
          break;
        }
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        } else if (wait < -100_000_000L) {
          late++;
        }
        send(seq, nodeNames.get((int) (seq % nodeNames.size())));
      }
      done = true;
      controller.join();
      // what is still in flight gets its answer or its timeout (20 s)
      long drain = System.nanoTime() + Duration.ofSeconds(25).toNanos();
      while (outstanding.get() > 0 && System.nanoTime() < drain) {
        LockSupport.parkNanos(10_000_000L);
      }
      synchronized (requests) {
        requests.close();
      }
      synchronized (kills) {
        kills.close();
      }
      System.out.printf(Locale.ROOT, "LOAD_END sent=%d late=%d unanswered=%d%n", seq, late, outstanding.get());
    }

    /** 80 % current grants in scope, 10 % grants killed earlier, 10 % a client outside the grant. */
    void send(long seq, String node) {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      int pick = (int) (seq % 10);
      String cls = "valid";
      List<Grant> pool = current;
      if (pick == 3 && !killed.isEmpty()) {
        cls = "killed";
        synchronized (killed) {
          pool = killed.get(rnd.nextInt(killed.size()));
        }
      }
      Grant g = pool.get(rnd.nextInt(pool.size()));
      String client = pick == 7 ? OUT_OF_SCOPE : (seq % 2 == 0 ? "c-0001" : "c-0002");
      if (pick == 7) {
        cls = "scope";
      }
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(data.get(node) + "/clients/" + client))
              .header("Authorization", "Bearer " + g.token())
              .timeout(Duration.ofSeconds(20))
              .build();
      double sent = time.now();
      outstanding.incrementAndGet();
      String c = cls;
      http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete(
              (r, err) -> {
                double answered = time.now();
                String reason = "";
                int statusCode = 0;
                String rid = "";
                long bytes = 0;
                if (err != null) {
                  reason = transport(err);
                } else {
                  statusCode = r.statusCode();
                  rid = r.headers().firstValue("X-Airlock-Request-Id").orElse("");
                  bytes = r.body().length;
                  if (statusCode != 200) {
                    reason = errorCode(r.body());
                  }
                }
                String line =
                    String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%d,%s,%.3f,%.3f,%d,%s,%s,%d%n", seq, node, c, g.agent(), g.jti(),
                        g.epoch(), client, sent, answered, statusCode, reason, rid, bytes);
                synchronized (requests) {
                  try {
                    requests.write(line);
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                }
                outstanding.decrementAndGet();
              });
    }

    static String errorCode(byte[] body) {
      try {
        String code = JSON.readTree(body).path("error").asText("");
        return code.isEmpty() ? "no_error_code" : code.replaceAll("[^a-z0-9_]", "_");
      } catch (IOException e) {
        return "not_json";
      }
    }

    static String transport(Throwable err) {
      Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
      if (t instanceof ConnectException) {
        return "transport_connect_refused";
      }
      if (t instanceof java.net.http.HttpConnectTimeoutException) {
        return "transport_connect_timeout";
      }
      if (t instanceof HttpTimeoutException) {
        return "transport_timeout";
      }
      return "transport_" + t.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** Kill-alls on schedule, and whatever the nodes did on their own (re-seed, lockdown). */
    void control() {
      List<String> planes = List.copyOf(control.keySet());
      long nextKill = System.nanoTime() + killEveryMs * 1_000_000L;
      long nextStatus = System.nanoTime();
      int kill = 0;
      int polls = 0;
      while (!done) {
        long now = System.nanoTime();
        if (now >= nextKill) {
          String node = planes.get(kill % planes.size());
          if (killAll(node)) {
            kill++;
            nextKill += killEveryMs * 1_000_000L;
            if (nextKill < now) {
              nextKill = now + killEveryMs * 1_000_000L;
            }
          } else {
            kill++; // the other control plane next time
            nextKill = now + 1_000_000_000L;
          }
        }
        if (now >= nextStatus) {
          watch(planes.get(polls++ % planes.size()));
          nextStatus = now + 500_000_000L;
        }
        LockSupport.parkNanos(50_000_000L);
      }
    }

    boolean killAll(String node) {
      double sent = time.now();
      Reply r = post(node, "/api/kill-all", "{\"reason\":\"soak\",\"lockdown\":false}");
      double answered = time.now();
      if (r.status == 200) {
        JsonNode j = r.json();
        long epoch = j.path("epoch").asLong();
        rotate(epoch);
        record("api", node, sent, answered, 200, epoch, j.path("acknowledged").asText(), "");
        return true;
      }
      record("api_failed", node, sent, answered, r.status, 0, "", r.detail());
      return false;
    }

    void watch(String node) {
      double sent = time.now();
      JsonNode s = statusOf(node);
      if (s == null) {
        return;
      }
      double answered = time.now();
      long epoch = s.path("epoch").asLong();
      if (epoch > current.get(0).epoch()) {
        rotate(epoch);
        record("reseed", node, sent, answered, 200, epoch, "", "epoch raised without a kill-all from this run");
      }
      if (s.path("lockdown").asBoolean()) {
        double t = time.now();
        Reply r = post(node, "/api/lockdown/lift", "{}");
        record("lift", node, t, time.now(), r.status, epoch, "", r.status == 200 ? "" : r.detail());
      }
    }

    void rotate(long epoch) {
      List<Grant> old = current;
      current = mint(epoch);
      synchronized (killed) {
        killed.add(old);
        if (killed.size() > 5) {
          killed.remove(0);
        }
      }
    }

    /** One grant per agent for c-0001 and c-0002 at {@code epoch}, minted by `airlock grant`'s code. */
    List<Grant> mint(long epoch) {
      List<Grant> grants = new ArrayList<>();
      for (String agent : AGENTS) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc =
            GrantCli.run(
                List.of("--agent", agent, "--ticket", "SUP-1", "--clients", "c-0001,c-0002",
                    "--ttl", config.policy().maxGrantTtl().toMinutes() + "m", "--epoch", Long.toString(epoch)),
                keys, config.grants().issuer(), config.policy().maxGrantTtl(), Clock.systemUTC(), new PrintStream(buf, true, StandardCharsets.UTF_8), System.err);
        if (rc != 0) {
          throw new IllegalStateException("airlock grant exited " + rc);
        }
        String token = buf.toString(StandardCharsets.UTF_8).trim();
        try {
          JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
          grants.add(new Grant(token, claims.path("jti").asText(), epoch, agent));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return List.copyOf(grants);
    }

    void record(String kind, String node, double sent, double answered, int status, long epoch, String acks, String detail) {
      synchronized (kills) {
        try {
          kills.write(String.format(Locale.ROOT, "%s,%s,%.3f,%.3f,%d,%d,%s,%s%n", kind, node, sent, answered, status, epoch, acks,
              detail.replaceAll("[,\\r\\n]", " ")));
          kills.flush();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }

    record Reply(int status, String body) {
      JsonNode json() {
        try {
          return JSON.readTree(body);
        } catch (IOException e) {
          return JSON.createObjectNode();
        }
      }

      String detail() {
        return body.length() > 200 ? body.substring(0, 200) : body;
      }
    }

    void login(String node) {
      Reply r = call(node, "/api/demo/login", "{\"user\":\"sam\"}", null);
      if (r.status == 200) {
        staffTokens.put(node, r.json().path("token").asText());
      }
    }

    /** A control-plane call as sam; a lost session (node restarted) logs in again once. */
    Reply post(String node, String path, String body) {
      Reply r = call(node, path, body, staffTokens.get(node));
      if (r.status == 401) {
        login(node);
        r = call(node, path, body, staffTokens.get(node));
      }
      return r;
    }

    JsonNode statusOf(String node) {
      Reply r = call(node, "/api/status", null, staffTokens.get(node));
      if (r.status == 401) {
        login(node);
        r = call(node, "/api/status", null, staffTokens.get(node));
      }
      return r.status == 200 ? r.json() : null;
    }

    Reply call(String node, String path, String body, String token) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(control.get(node) + path)).timeout(Duration.ofSeconds(5));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      if (body != null) {
        b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
      }
      try {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
      } catch (IOException e) {
        return new Reply(0, transport(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Reply(0, "interrupted");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  static final class Check {
    final Path out;
    final double maxStalenessMs;
    final List<String> failures = new ArrayList<>();
    final StringBuilder report = new StringBuilder();

    Check(Map<String, String> o) {
      out = Path.of(o.get("--out"));
      maxStalenessMs = Double.parseDouble(o.getOrDefault("--max-staleness-ms", "1000"));
    }

    record Req(long seq, String node, String cls, String agent, String jti, long epoch, String client, double sent,
        double answered, int status, String reason, String requestId, long bytes) {}

    record Kill(String kind, String node, double sent, double answered, int status, long epoch, String acks) {
      /** When every node is bound to refuse grants below {@link #epoch}. */
      double binding(double maxStalenessMs) {
        if (kind.equals("reseed")) {
          return answered;
        }
        String[] a = acks.split("/");
        boolean all = a.length == 2 && a[0].equals(a[1]);
        return all ? answered : answered + maxStalenessMs;
      }
    }

    record Event(double at, String what, String node) {}

    record Window(double from, double to) {
      boolean overlaps(double a, double b) {
        return a <= to && b >= from;
      }
    }

    static List<String[]> csv(Path p) throws IOException {
      List<String[]> rows = new ArrayList<>();
      List<String> lines = Files.readAllLines(p);
      for (String l : lines.subList(1, lines.size())) {
        if (!l.isBlank()) {
          rows.add(l.split(",", -1));
        }
      }
      return rows;
    }

    void say(String fmt, Object... args) {
      report.append(String.format(Locale.ROOT, fmt, args)).append('\n');
    }

    void check(boolean ok, String name, String detail) {
      say("  [%s] %s%s", ok ? "ok" : "FAIL", name, detail.isEmpty() ? "" : ": " + detail);
      if (!ok) {
        failures.add(name);
      }
    }

    int run() throws Exception {
      List<Req> reqs = new ArrayList<>();
      for (String[] f : csv(out.resolve("requests.csv"))) {
        reqs.add(new Req(Long.parseLong(f[0]), f[1], f[2], f[3], f[4], Long.parseLong(f[5]), f[6], Double.parseDouble(f[7]),
            Double.parseDouble(f[8]), Integer.parseInt(f[9]), f[10], f[11], Long.parseLong(f[12])));
      }
      reqs.sort((x, y) -> Long.compare(x.seq, y.seq));
      List<Kill> kills = new ArrayList<>();
      List<Kill> lifts = new ArrayList<>();
      int failedKills = 0;
      for (String[] f : csv(out.resolve("kills.csv"))) {
        Kill k = new Kill(f[0], f[1], Double.parseDouble(f[2]), Double.parseDouble(f[3]), Integer.parseInt(f[4]), Long.parseLong(f[5]), f[6]);
        switch (k.kind) {
          case "api", "reseed" -> kills.add(k);
          case "lift" -> {
            if (k.status == 200) {
              lifts.add(k);
            }
          }
          default -> failedKills++;
        }
      }
      List<Event> events = new ArrayList<>();
      for (String[] f : csv(out.resolve("events.csv"))) {
        events.add(new Event(Double.parseDouble(f[0]), f[1], f.length > 2 ? f[2] : ""));
      }
      Map<String, List<Window>> nodeDown = new HashMap<>();
      List<Window> redisDown = new ArrayList<>();
      Map<String, Double> downSince = new HashMap<>();
      double redisSince = -1;
      for (Event e : events) {
        switch (e.what) {
          case "node_sigkill" -> downSince.put(e.node, e.at);
          case "node_ready" -> {
            Double s = downSince.remove(e.node);
            if (s != null) {
              nodeDown.computeIfAbsent(e.node, k -> new ArrayList<>()).add(new Window(s, e.at));
            }
          }
          case "redis_sigkill" -> redisSince = e.at;
          case "redis_recovered" -> {
            redisDown.add(new Window(redisSince, e.at));
            redisSince = -1;
          }
          default -> { }
        }
      }
      double first = reqs.isEmpty() ? 0 : reqs.get(0).sent;
      double last = reqs.stream().mapToDouble(Req::answered).max().orElse(first);

      say("Airlock soak report (%s)", out.getFileName());
      say("");
      say("Run: %d requests over %.0f s (%.1f req/s achieved), %d kill-alls through the API (%d attempt(s) refused while Redis was down),",
          reqs.size(), (last - first) / 1000, reqs.size() / Math.max(1, (last - first) / 1000),
          kills.stream().filter(k -> k.kind.equals("api")).count(), failedKills);
      String loadEnd = Files.readAllLines(out.resolve("load.log")).stream().filter(l -> l.startsWith("LOAD_END")).findFirst().orElse("LOAD_END ?");
      say("     load generator: %s (late = sent over 100 ms behind schedule: the generator itself was starved)",
          loadEnd.substring("LOAD_END ".length()));
      say("     %d epoch re-seeds after Redis came back empty, %d lockdown lifts.", kills.stream().filter(k -> k.kind.equals("reseed")).count(),
          lifts.size());
      say("Fault timeline (s from the first request):");
      for (Event e : events) {
        say("  %8.1f  %s %s", (e.at - first) / 1000, e.what, e.node);
      }
      for (Kill k : kills) {
        say("  %8.1f  %s kill via node %s: epoch %d, acknowledged %s, answered after %.0f ms", (k.answered - first) / 1000,
            k.kind, k.node, k.epoch, k.acks.isEmpty() ? "-" : k.acks, k.answered - k.sent);
      }
      for (Kill k : lifts) {
        say("  %8.1f  lockdown lifted via node %s", (k.answered - first) / 1000, k.node);
      }
      say("Service gaps: periods over 1 s in which a node served no current grant (between two 200s):");
      for (String node : reqs.stream().map(Req::node).distinct().sorted().toList()) {
        double prev = Double.NaN;
        for (Req r : reqs) {
          if (!r.node.equals(node) || !r.cls.equals("valid") || r.status != 200) {
            continue;
          }
          if (!Double.isNaN(prev) && r.sent - prev > 1000) {
            say("  node %s: %6.1f s to %6.1f s (%.1f s)", node, (prev - first) / 1000, (r.sent - first) / 1000, (r.sent - prev) / 1000);
          }
          prev = r.sent;
        }
      }
      say("");

      // (a) ------------------------------------------------------------------------------------
      say("(a) No 200 for a grant after a kill-all covering it was acknowledged");
      say("    A kill covers every grant whose epoch is below the kill's epoch. It is binding from the moment");
      say("    the kill-all API answered when every live node acknowledged it (\"n/n\"), else from that answer");
      say("    + revocation.maxStaleness (%.0f ms: a node that missed it refuses by its own freshness check); a", maxStalenessMs);
      say("    re-seed is binding from when this run saw the new epoch in /api/status. A violation is a 200 to a");
      say("    request SENT after the binding time of a kill covering its grant (request sent before and");
      say("    answered after are in flight at the kill, counted but allowed).");
      int violations = 0;
      int inFlight = 0;
      int killedTraffic = 0;
      List<String> examples = new ArrayList<>();
      for (Req r : reqs) {
        double binding = Double.MAX_VALUE;
        for (Kill k : kills) {
          if (r.epoch < k.epoch) {
            binding = Math.min(binding, k.binding(maxStalenessMs));
          }
        }
        if (binding == Double.MAX_VALUE) {
          continue;
        }
        if (r.sent > binding) {
          killedTraffic++;
          if (r.status == 200) {
            violations++;
            if (examples.size() < 10) {
              examples.add(String.format(Locale.ROOT, "seq %d node %s grant %s epoch %d sent %.0f ms after binding, request id %s", r.seq,
                  r.node, r.jti, r.epoch, r.sent - binding, r.requestId));
            }
          }
        } else if (r.status == 200 && r.answered > binding) {
          inFlight++;
        }
      }
      check(violations == 0, "no request served after its grant was killed",
          String.format(Locale.ROOT, "%d requests sent with a grant already killed, %d of them served; %d served 200s were in flight at a kill",
              killedTraffic, violations, inFlight));
      examples.forEach(e -> say("      %s", e));
      check(killedTraffic > 0 || reqs.size() < 100, "the check had something to judge", killedTraffic + " requests with killed grants");

      // (b) ------------------------------------------------------------------------------------
      say("");
      say("(b) Every 200 has its access record in the serving node's audit log (matched on X-Airlock-Request-Id)");
      Map<String, Set<String>> access = new HashMap<>();
      Map<String, Set<String>> completion = new HashMap<>();
      for (String node : reqs.stream().map(Req::node).distinct().sorted().toList()) {
        Set<String> a = new HashSet<>();
        Set<String> c = new HashSet<>();
        Path dir = out.resolve("node-" + node).resolve("audit");
        if (Files.isDirectory(dir)) {
          try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList()) {
              for (String line : Files.readAllLines(f)) {
                if (line.isBlank()) {
                  continue;
                }
                JsonNode rec;
                try {
                  rec = JSON.readTree(line);
                } catch (IOException torn) {
                  continue; // audit verify judges the chain; a torn last line is its business
                }
                String type = rec.path("type").asText();
                if (type.equals("access")) {
                  a.add(rec.path("requestId").asText());
                } else if (type.equals("completion")) {
                  c.add(rec.path("requestId").asText());
                }
              }
            }
          }
        }
        access.put(node, a);
        completion.put(node, c);
      }
      for (String node : access.keySet().stream().sorted().toList()) {
        long served = reqs.stream().filter(r -> r.node.equals(node) && r.status == 200).count();
        List<Req> missing = reqs.stream().filter(r -> r.node.equals(node) && r.status == 200 && !access.get(node).contains(r.requestId)).toList();
        long noCompletion = reqs.stream().filter(r -> r.node.equals(node) && r.status == 200 && !completion.get(node).contains(r.requestId)).count();
        check(missing.isEmpty(), "node " + node + ": every 200 has its access record",
            String.format(Locale.ROOT, "%d 200s, %d without an access record (%d without a completion record, which is best effort)", served,
                missing.size(), noCompletion));
        missing.stream().limit(10).forEach(r -> say("      seq %d request id %s answered %.0f ms after the first request", r.seq, r.requestId,
            r.answered - first));
      }
      for (String node : access.keySet().stream().sorted().toList()) {
        Path verdict = out.resolve("audit-verify-" + node + ".txt");
        String text = Files.exists(verdict) ? Files.readString(verdict).trim() : "not run";
        boolean intact = text.startsWith("exit 0");
        check(intact, "node " + node + ": airlock audit verify", text.replace('\n', ' '));
      }

      // (c) ------------------------------------------------------------------------------------
      say("");
      say("(c) Statuses: only 200 and the expected 401 grant_revoked, 403 out_of_scope (client outside the");
      say("    grant), 503 revocation_stale, and 503 quota_unavailable while Redis is down; no answer at all");
      say("    only for a node while it was SIGKILLed and restarting");
      Map<String, Integer> byStatus = new TreeMap<>();
      Map<String, Integer> byReason = new TreeMap<>();
      Map<String, Integer> unexpected = new TreeMap<>();
      int stale503Outside = 0;
      int refusedValidOutside = 0;
      for (Req r : reqs) {
        String key = r.status == 0 ? "no answer" : Integer.toString(r.status);
        byStatus.merge(key, 1, Integer::sum);
        byReason.merge(key + " " + (r.status == 200 ? "" : r.reason) + " (" + r.cls + ")", 1, Integer::sum);
        String why = unexpected(r, nodeDown, redisDown);
        if (why != null) {
          unexpected.merge(why, 1, Integer::sum);
        }
        boolean inRedisFault = redisDown.stream().anyMatch(w -> w.overlaps(r.sent, r.answered + 0));
        if (r.status == 503 && !inRedisFault && nodeDown.getOrDefault(r.node, List.of()).stream().noneMatch(w -> w.overlaps(r.sent, r.answered))) {
          stale503Outside++;
        }
        if (r.cls.equals("valid") && r.status == 401 && !explainedRefusal(r, kills, lifts, redisDown)) {
          refusedValidOutside++;
        }
      }
      say("    per status:");
      byStatus.forEach((k, v) -> say("      %-10s %7d", k, v));
      say("    per status, reason and traffic class (valid = current grant in scope, killed = grant of an");
      say("    earlier epoch, scope = current grant, client outside it):");
      byReason.forEach((k, v) -> say("      %-52s %7d", k, v));
      check(unexpected.isEmpty(), "no unexpected status", unexpected.isEmpty() ? "" : unexpected.toString());
      check(refusedValidOutside == 0, "current grants refused only around a kill, a re-seed or a lockdown",
          refusedValidOutside + " 401s for current grants that no kill or lockdown explains");
      say("    503s outside the Redis and node fault windows: %d (fail closed: a node whose revocation state", stale503Outside);
      say("    was not confirmed for 1 s refuses; on a loaded machine this can happen without a fault)");

      // (d) ------------------------------------------------------------------------------------
      say("");
      memory(first);

      say("");
      say(failures.isEmpty() ? "RESULT: PASS" : "RESULT: FAIL (" + String.join("; ", failures) + ")");
      Files.writeString(out.resolve("report.txt"), report);
      System.out.print(report);
      return failures.isEmpty() ? 0 : 1;
    }

    /** Why this outcome is not one the soak expects, or null when it is. */
    static String unexpected(Req r, Map<String, List<Window>> nodeDown, List<Window> redisDown) {
      if (r.status == 0) {
        boolean down = nodeDown.getOrDefault(r.node, List.of()).stream().anyMatch(w -> w.overlaps(r.sent, r.answered));
        return down ? null : "no answer outside a node restart: " + r.reason;
      }
      String what = r.status + " " + r.reason + " (" + r.cls + ")";
      return switch (r.status) {
        case 200 -> r.cls.equals("scope") ? "200 for a client outside the grant" : null;
        case 401 -> r.reason.equals("grant_revoked") ? null : what;
        case 403 -> r.cls.equals("scope") && r.reason.equals("out_of_scope") ? null : what;
        // Redis is also the quota store: in the first second of an outage the revocation state is
        // still fresh (maxStaleness) and the quota check is the one that cannot decide
        case 503 -> r.reason.equals("revocation_stale")
            || r.reason.equals("quota_unavailable") && redisDown.stream().anyMatch(w -> w.overlaps(r.sent, r.answered))
            ? null : what;
        default -> what;
      };
    }

    /** A refused current grant is explained by a kill or re-seed that started before its answer, or a lockdown. */
    boolean explainedRefusal(Req r, List<Kill> kills, List<Kill> lifts, List<Window> redisDown) {
      for (Kill k : kills) {
        if (r.epoch < k.epoch && k.sent <= r.answered) {
          return true;
        }
      }
      // Redis came back empty: lockdown from its restart until the lift has reached the nodes
      for (Window w : redisDown) {
        double lifted = lifts.stream().mapToDouble(Kill::answered).filter(t -> t >= w.from).min().orElse(Double.MAX_VALUE);
        if (new Window(w.from, lifted + maxStalenessMs).overlaps(r.sent, r.answered)) {
          return true;
        }
      }
      return false;
    }

    record Sample(double at, String node, String pid, double rssMb, double heapMb, double oldMb) {}

    void memory(double first) throws IOException {
      say("(d) Memory: heap used (S0U+S1U+EU+OU from jstat -gc) and RSS (/proc VmRSS) of each node");
      Path p = out.resolve("samples.csv");
      if (!Files.exists(p)) {
        check(false, "memory samples", "no samples.csv");
        return;
      }
      List<String> lines = Files.readAllLines(p);
      List<String> header = List.of(lines.get(0).split(","));
      List<Sample> samples = new ArrayList<>();
      for (String l : lines.subList(1, lines.size())) {
        String[] f = l.split(",");
        if (f.length != header.size()) {
          continue; // a line cut when the process died
        }
        double used = 0;
        for (String col : List.of("S0U", "S1U", "EU", "OU")) {
          used += Double.parseDouble(f[header.indexOf(col)]);
        }
        samples.add(new Sample(Double.parseDouble(f[0]), f[1], f[2], Double.parseDouble(f[3]) / 1024, used / 1024,
            Double.parseDouble(f[header.indexOf("OU")]) / 1024));
      }
      say("    per minute from the first request: min / median / max, MB (samples every few seconds; a node");
      say("    restarted after SIGKILL starts a new series)");
      Map<String, List<Sample>> byRun = new LinkedHashMap<>();
      for (Sample s : samples) {
        byRun.computeIfAbsent(s.node + " pid " + s.pid, k -> new ArrayList<>()).add(s);
      }
      for (Map.Entry<String, List<Sample>> run : byRun.entrySet()) {
        say("    node %s", run.getKey());
        say("      minute   heap used                     old gen (after GCs)   RSS");
        Map<Integer, List<Sample>> perMinute = new TreeMap<>();
        for (Sample s : run.getValue()) {
          perMinute.computeIfAbsent((int) Math.floor((s.at - first) / 60_000), k -> new ArrayList<>()).add(s);
        }
        for (Map.Entry<Integer, List<Sample>> m : perMinute.entrySet()) {
          List<Sample> ss = m.getValue();
          say("      %5s    %s   %s   %s", m.getKey() < 0 ? "idle" : Integer.toString(m.getKey()), mmm(ss, Sample::heapMb), mmm(ss, Sample::oldMb), mmm(ss, Sample::rssMb));
        }
        say("      heap used %s", spark(run.getValue()));
        List<Integer> minutes = perMinute.keySet().stream().filter(m -> m >= 0).toList();
        if (minutes.size() < 4) {
          say("      stability: not judged (fewer than 4 minutes of samples for this process)");
          continue;
        }
        // the minute after warm-up against the last full minute: a leak raises the floor of the heap and RSS
        List<Sample> early = perMinute.get(minutes.get(1));
        List<Sample> late = perMinute.get(minutes.get(minutes.size() - 2));
        double heapEarly = early.stream().mapToDouble(Sample::heapMb).min().orElse(0);
        double heapLate = late.stream().mapToDouble(Sample::heapMb).min().orElse(0);
        double rssEarly = early.stream().mapToDouble(Sample::rssMb).max().orElse(0);
        double rssLate = late.stream().mapToDouble(Sample::rssMb).max().orElse(0);
        boolean heapOk = heapLate <= heapEarly * 1.5 + 32;
        boolean rssOk = rssLate <= rssEarly * 1.15 + 32;
        check(heapOk && rssOk, "node " + run.getKey() + ": memory stable",
            String.format(Locale.ROOT,
                "heap floor %.0f MB in minute %d -> %.0f MB in minute %d (limit x1.5 + 32 MB); RSS max %.0f -> %.0f MB (limit x1.15 + 32 MB)",
                heapEarly, minutes.get(1), heapLate, minutes.get(minutes.size() - 2), rssEarly, rssLate));
      }
    }

    static String mmm(List<Sample> ss, java.util.function.ToDoubleFunction<Sample> f) {
      double[] v = ss.stream().mapToDouble(f).sorted().toArray();
      return String.format(Locale.ROOT, "%6.0f / %6.0f / %6.0f", v[0], v[v.length / 2], v[v.length - 1]);
    }

    /** One character per sample, from the run's smallest heap used (▁) to its largest (█). */
    static String spark(List<Sample> ss) {
      String bars = "▁▂▃▄▅▆▇█";
      double lo = ss.stream().mapToDouble(Sample::heapMb).min().orElse(0);
      double hi = ss.stream().mapToDouble(Sample::heapMb).max().orElse(1);
      StringBuilder b = new StringBuilder();
      for (Sample s : ss) {
        int i = hi - lo < 1 ? 0 : (int) Math.round((s.heapMb - lo) / (hi - lo) * (bars.length() - 1));
        b.append(bars.charAt(i));
      }
      return String.format(Locale.ROOT, "%.0f..%.0f MB: %s", lo, hi, b);
    }
  }
}
