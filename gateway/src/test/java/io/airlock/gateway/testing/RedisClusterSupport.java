package io.airlock.gateway.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A three-master Redis Cluster on loopback for one test class: three {@code redis-server
 * --cluster-enabled yes} on free ports (each also needs port + 10000 for the cluster bus), joined
 * with {@code redis-cli --cluster create}, ready once every node reports {@code
 * cluster_state:ok}. {@link #close()} kills them by PID and removes their config files.
 */
public final class RedisClusterSupport implements AutoCloseable {
  static final Duration READY_DEADLINE = Duration.ofSeconds(30);
  private static final int NODES = 3;

  private final Path dir;
  private final List<Integer> ports;
  private final List<Process> processes;

  private RedisClusterSupport(Path dir, List<Integer> ports, List<Process> processes) {
    this.dir = dir;
    this.ports = ports;
    this.processes = processes;
  }

  public static RedisClusterSupport start() throws IOException, InterruptedException {
    RedisSupport.requireBinary("redis-server", "a cluster node");
    RedisSupport.requireBinary("redis-cli", "the cluster setup");
    Path dir = Files.createTempDirectory("airlock-redis-cluster-");
    List<Integer> ports = clusterPorts();
    List<Process> processes = new ArrayList<>();
    RedisClusterSupport cluster = new RedisClusterSupport(dir, ports, processes);
    try {
      for (int port : ports) {
        processes.add(
            RedisSupport.start(
                port,
                "--cluster-enabled", "yes",
                "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
                "--cluster-node-timeout", "5000",
                "--dir", dir.toString()));
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      ports.forEach(p -> create.add("127.0.0.1:" + p));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Path log = dir.resolve("create.log");
      Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(log));
      }
      cluster.awaitReady();
      return cluster;
    } catch (RuntimeException | IOException | InterruptedException e) {
      cluster.close();
      throw e;
    }
  }

  /** Seed node URIs, one per master. */
  public List<String> uris() {
    return ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plus(READY_DEADLINE);
    for (int port : ports) {
      while (!ok(port)) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("cluster node " + port + " never reported cluster_state:ok");
        }
        RedisSupport.pause();
      }
    }
  }

  private static boolean ok(int port) {
    try {
      Object info = RedisSupport.command("127.0.0.1", port, "CLUSTER", "INFO");
      return info instanceof String s && s.contains("cluster_state:ok");
    } catch (IllegalStateException e) {
      return false;
    }
  }

  // each node listens on p and p + 10000 (cluster bus): both must be free
  private static List<Integer> clusterPorts() {
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < NODES) {
      int p = ThreadLocalRandom.current().nextInt(20_000, 40_000);
      if (!ports.contains(p) && RedisSupport.portFree(p) && RedisSupport.portFree(p + 10_000)) {
        ports.add(p);
      }
    }
    return ports;
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // temp files only; leaving them is harmless
    }
  }
}
