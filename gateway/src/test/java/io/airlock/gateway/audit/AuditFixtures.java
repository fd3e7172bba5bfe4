package io.airlock.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.gateway.testing.Poll;
import io.airlock.policy.config.AuditConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

final class AuditFixtures {
  private AuditFixtures() {}

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant DAY1 = Instant.parse("2026-11-25T23:59:58Z");
  static final Duration FAST_RETRY = Duration.ofMillis(20);

  static AuditConfig config(Path dir, AuditConfig.Durability durability, int queueCapacity) {
    return new AuditConfig(dir, durability, 512, queueCapacity, 1000);
  }

  static AuditConfig sync(Path dir) {
    return config(dir, AuditConfig.Durability.SYNC, 65_536);
  }

  static AuditLog open(Path dir, Clock clock) {
    return AuditLog.open(sync(dir), "n1", clock, AuditMirror.NONE, AuditLog.WriterHooks.NONE, FAST_RETRY);
  }


  static AuditReceipt await(io.vertx.core.Future<AuditReceipt> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("append did not complete", e);
    }
  }

  static Map<String, Object> access(int i) {
    return Map.of("agent", "alice", "client", "c-" + i, "ticket", "SUP-1", "status", 200);
  }

  static List<Path> files(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> lines(Path file) {
    try {
      return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> records(Path dir) {
    List<JsonNode> out = new ArrayList<>();
    for (Path f : files(dir)) {
      for (String l : lines(f)) {
        try {
          out.add(JSON.readTree(l));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return out;
  }

  static AuditVerifier.Report verify(Path dir) {
    try {
      return AuditVerifier.verify(files(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void assertIntact(Path dir) {
    AuditVerifier.Report r = verify(dir);
    assertThat(r.broken()).as("verify of %s", dir).isEmpty();
  }

  /** A record line with a correct hash, as someone who knows the format would forge it. */
  static String forge(Map<String, Object> members) {
    TreeMap<String, Object> rec = new TreeMap<>(members);
    byte[] canonical = AuditRecords.canonical(rec);
    String hash = AuditRecords.hash(AuditRecords.sha256(), canonical, canonical.length);
    AuditRecords.ByteSink sink = new AuditRecords.ByteSink(256);
    AuditRecords.writeLine(sink, canonical, hash);
    return new String(sink.array(), 0, sink.size() - 1, StandardCharsets.UTF_8);
  }

  static void poll(String what, BooleanSupplier condition) {
    Poll.until(what, Duration.ofSeconds(10), condition::getAsBoolean);
  }
}
