package io.airlock.gateway.audit;

import static io.airlock.gateway.audit.AuditFixtures.DAY1;
import static io.airlock.gateway.audit.AuditFixtures.FAST_RETRY;
import static io.airlock.gateway.audit.AuditFixtures.access;
import static io.airlock.gateway.audit.AuditFixtures.assertIntact;
import static io.airlock.gateway.audit.AuditFixtures.await;
import static io.airlock.gateway.audit.AuditFixtures.files;
import static io.airlock.gateway.audit.AuditFixtures.lines;
import static io.airlock.gateway.audit.AuditFixtures.open;
import static io.airlock.gateway.audit.AuditFixtures.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.airlock.gateway.testing.HandClock;
import io.airlock.policy.config.AuditConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir Path tmp;

  @Test
  void concurrentAppendersGetOneUnbrokenChainWrittenInGroupCommits() throws Exception {
    AtomicInteger forces = new AtomicInteger();
    AuditLog.WriterHooks countForces =
        new AuditLog.WriterHooks() {
          @Override
          public void afterForce(int records) {
            forces.incrementAndGet();
          }
        };
    AuditLog log =
        AuditLog.open(AuditFixtures.sync(tmp), "n1", Clock.systemUTC(), AuditMirror.NONE, countForces, FAST_RETRY);
    List<Future<AuditReceipt>> futures = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < 1000; i++) {
                  futures.add(log.append(AuditTypes.ACCESS, Map.of("thread", thread, "i", i)));
                }
              });
      th.start();
      threads.add(th);
    }
    for (Thread t : threads) {
      t.join();
    }
    Set<Long> seqs = ConcurrentHashMap.newKeySet();
    for (Future<AuditReceipt> f : futures) {
      AuditReceipt r = await(f);
      assertThat(r.durable()).isTrue();
      seqs.add(r.seq());
    }
    log.close();

    assertThat(seqs).hasSize(8000);
    assertThat(seqs).allMatch(s -> s >= 1 && s <= 8000);
    List<JsonNode> recs = records(tmp);
    assertThat(recs).hasSize(8000);
    assertThat(recs.get(0).get("prev").asText()).isEqualTo(AuditRecords.GENESIS);
    // each thread's appends stay in the order it made them
    Map<Integer, Integer> lastI = new TreeMap<>();
    for (JsonNode r : recs) {
      int thread = r.get("thread").asInt();
      int i = r.get("i").asInt();
      assertThat(i).isGreaterThan(lastI.getOrDefault(thread, -1));
      lastI.put(thread, i);
    }
    assertThat(forces.get()).as("fsyncs for 8000 records").isLessThan(8000);
    assertIntact(tmp);
  }

  @Test
  void syncAppendCompletesOnlyAfterItsBatchIsForced() throws Exception {
    CountDownLatch written = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean forced = new AtomicBoolean();
    AuditLog.WriterHooks holdBeforeForce =
        new AuditLog.WriterHooks() {
          @Override
          public void afterWrite(int records) {
            written.countDown();
            hold(release);
          }

          @Override
          public void afterForce(int records) {
            forced.set(true);
          }
        };
    try (AuditLog log =
        AuditLog.open(AuditFixtures.sync(tmp), "n1", Clock.systemUTC(), AuditMirror.NONE, holdBeforeForce, FAST_RETRY)) {
      AtomicBoolean forcedWhenCompleted = new AtomicBoolean();
      Future<AuditReceipt> f = log.append(AuditTypes.ACCESS, access(1));
      f.onSuccess(r -> forcedWhenCompleted.set(forced.get()));

      assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
      // the record is in the file, but not fsync'd: the caller must still be waiting
      assertThat(lines(files(tmp).get(0))).hasSize(1);
      assertThat(f.isComplete()).isFalse();

      release.countDown();
      assertThat(await(f).seq()).isEqualTo(1);
      assertThat(forcedWhenCompleted).isTrue();
    }
  }

  @Test
  void asyncAppendCompletesWhenQueuedBeforeAnyForce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger forces = new AtomicInteger();
    AuditLog.WriterHooks hold =
        new AuditLog.WriterHooks() {
          @Override
          public void afterWrite(int records) {
            hold(release);
          }

          @Override
          public void afterForce(int records) {
            forces.incrementAndGet();
          }
        };
    AuditConfig async = AuditFixtures.config(tmp, AuditConfig.Durability.ASYNC, 100);
    try (AuditLog log = AuditLog.open(async, "n1", Clock.systemUTC(), AuditMirror.NONE, hold, FAST_RETRY)) {
      Future<AuditReceipt> f = log.append(AuditTypes.ACCESS, access(1));
      assertThat(f.succeeded()).isTrue();
      assertThat(f.result()).isEqualTo(AuditReceipt.QUEUED);
      assertThat(f.result().durable()).isFalse();
      assertThat(forces.get()).isZero();
      release.countDown();
    }
    assertThat(records(tmp)).hasSize(1);
    assertIntact(tmp);
  }

  @Test
  void asyncRecordsTricklingInShareOneFsyncPerCommitWindow() throws Exception {
    AtomicInteger forces = new AtomicInteger();
    AuditLog.WriterHooks count =
        new AuditLog.WriterHooks() {
          @Override
          public void afterForce(int records) {
            forces.incrementAndGet();
          }
        };
    AuditConfig async = AuditFixtures.config(tmp, AuditConfig.Durability.ASYNC, 512);
    long windowNanos = AuditLog.ASYNC_COMMIT_WINDOW.toNanos();
    long started;
    long elapsed;
    try (AuditLog log = AuditLog.open(async, "n1", Clock.systemUTC(), AuditMirror.NONE, count, FAST_RETRY)) {
      started = System.nanoTime();
      // a busy data plane: a record every 200 µs, each finding the writer idle. Woken per record,
      // the writer fsync'd one or two at a time (over half of a node's CPU under load)
      for (int i = 1; i <= 100; i++) {
        assertThat(log.append(AuditTypes.ACCESS, access(i)).succeeded()).isTrue();
        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
      }
      elapsed = System.nanoTime() - started;
    }
    assertThat(records(tmp)).as("close writes what was still gathering").hasSize(100);
    assertIntact(tmp);
    // at most one commit per window while records arrived, and the last one on close
    assertThat(forces.get()).isLessThanOrEqualTo((int) (elapsed / windowNanos) + 2);
  }

  @Test
  void completionRunsOnTheCallersEventLoopContext() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (AuditLog log = open(tmp, Clock.systemUTC())) {
      Context ctx = vertx.getOrCreateContext();
      CompletableFutureHolder done = new CompletableFutureHolder();
      ctx.runOnContext(
          v ->
              log.append(AuditTypes.ACCESS, access(1))
                  .onComplete(ar -> done.set(ar.succeeded() && Vertx.currentContext() == ctx)));
      assertThat(done.get()).isTrue();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void restartContinuesSeqAndChain() {
    try (AuditLog log = open(tmp, Clock.systemUTC())) {
      for (int i = 0; i < 10; i++) {
        await(log.append(AuditTypes.ACCESS, access(i)));
      }
    }
    try (AuditLog log = open(tmp, Clock.systemUTC())) {
      assertThat(log.healthy()).isTrue();
      assertThat(await(log.append(AuditTypes.CONFIG_LOADED, Map.of("routes", 3))).seq()).isEqualTo(11);
    }
    List<JsonNode> recs = records(tmp);
    assertThat(recs).hasSize(11);
    assertThat(recs.get(10).get("prev").asText()).isEqualTo(recs.get(9).get("hash").asText());
    assertIntact(tmp);
  }

  @Test
  void dayChangeRotatesToANewFileThatContinuesTheChain() {
    HandClock clock = new HandClock(DAY1);
    try (AuditLog log = open(tmp, clock)) {
      await(log.append(AuditTypes.ACCESS, access(1)));
      await(log.append(AuditTypes.ACCESS, access(2)));
      clock.advance(Duration.ofSeconds(5)); // past midnight UTC
      await(log.append(AuditTypes.ACCESS, access(3)));
    }
    // a restart on the new day continues in that day's file
    try (AuditLog log = open(tmp, clock)) {
      await(log.append(AuditTypes.ACCESS, access(4)));
    }
    assertThat(files(tmp))
        .extracting(p -> p.getFileName().toString())
        .containsExactly("audit-n1-2026-11-25.jsonl", "audit-n1-2026-11-26.jsonl");
    List<String> day1 = lines(files(tmp).get(0));
    List<String> day2 = lines(files(tmp).get(1));
    assertThat(day1).hasSize(2);
    assertThat(day2).hasSize(2);
    JsonNode lastOfDay1 = json(day1.get(1));
    JsonNode firstOfDay2 = json(day2.get(0));
    assertThat(firstOfDay2.get("seq").asLong()).isEqualTo(3);
    assertThat(firstOfDay2.get("prev").asText()).isEqualTo(lastOfDay1.get("hash").asText());
    assertThat(firstOfDay2.get("ts").asText()).isEqualTo("2026-11-26T00:00:03.000Z");
    assertIntact(tmp);
  }

  @Test
  void restartOnALaterDayContinuesFromYesterdaysFile() {
    HandClock clock = new HandClock(DAY1);
    try (AuditLog log = open(tmp, clock)) {
      await(log.append(AuditTypes.ACCESS, access(1)));
    }
    clock.advance(Duration.ofDays(3));
    try (AuditLog log = open(tmp, clock)) {
      assertThat(await(log.append(AuditTypes.ACCESS, access(2))).seq()).isEqualTo(2);
    }
    assertThat(files(tmp)).hasSize(2);
    assertIntact(tmp);
  }

  @Test
  void tornLastLineIsCutAtStartUpAndRecordedInTheChain() throws Exception {
    try (AuditLog log = open(tmp, Clock.systemUTC())) {
      for (int i = 0; i < 5; i++) {
        await(log.append(AuditTypes.ACCESS, access(i)));
      }
    }
    Path file = files(tmp).get(0);
    String torn = "{\"agent\":\"alice\",\"client\":\"c-9\",\"seq\":6,\"ts\":\"2026";
    Files.writeString(file, torn, java.nio.file.StandardOpenOption.APPEND);
    assertThat(AuditFixtures.verify(tmp).broken()).get()
        .extracting(AuditVerifier.Break::kind).isEqualTo(AuditVerifier.Tampering.TRUNCATED);

    try (AuditLog log = open(tmp, Clock.systemUTC())) {
      assertThat(log.healthy()).isTrue();
      assertThat(await(log.append(AuditTypes.ACCESS, access(6))).seq()).isEqualTo(7);
    }
    List<JsonNode> recs = records(tmp);
    assertThat(recs).hasSize(7);
    JsonNode repaired = recs.get(5);
    assertThat(repaired.get("type").asText()).isEqualTo(AuditTypes.AUDIT_REPAIRED);
    assertThat(repaired.get("seq").asLong()).isEqualTo(6);
    assertThat(repaired.get("bytes").asLong()).isEqualTo(torn.length());
    assertThat(repaired.get("file").asText()).isEqualTo(file.getFileName().toString());
    assertIntact(tmp);
  }

  @Test
  void aLastRecordThatDoesNotMatchItsHashStopsTheLogFromContinuingIt() throws Exception {
    try (AuditLog log = open(tmp, Clock.systemUTC())) {
      await(log.append(AuditTypes.ACCESS, access(1)));
    }
    Path file = files(tmp).get(0);
    Files.writeString(file, Files.readString(file).replace("c-1", "c-2"));
    try (AuditLog log = open(tmp, Clock.systemUTC())) {
      assertThat(log.healthy()).isFalse();
      assertThat(log.problem()).get().asString().contains("does not match its hash");
      assertThatThrownBy(() -> await(log.append(AuditTypes.ACCESS, access(2))))
          .hasRootCauseInstanceOf(AuditUnavailable.class);
    }
  }

  @Test
  void diskFullFailsAppendsThenRecoversByItselfAndTheChainContinues() throws Exception {
    HandClock clock = new HandClock(DAY1);
    try (AuditLog log = open(tmp, clock)) {
      await(log.append(AuditTypes.ACCESS, access(1)));
      // tomorrow's file is on a device that is always full (ENOSPC on every write)
      Path tomorrow = tmp.resolve("audit-n1-2026-11-26.jsonl");
      Files.createSymbolicLink(tomorrow, Path.of("/dev/full"));
      clock.advance(Duration.ofSeconds(5));

      assertThatThrownBy(() -> await(log.append(AuditTypes.ACCESS, access(2))))
          .hasRootCauseInstanceOf(AuditUnavailable.class);
      assertThat(log.healthy()).isFalse();
      assertThat(log.problem()).get().asString().contains("No space left on device");
      // refused at once while down
      Future<AuditReceipt> refused = log.append(AuditTypes.ACCESS, access(3));
      assertThat(refused.failed()).isTrue();
      assertThat(refused.cause()).isInstanceOf(AuditUnavailable.class);

      // the disk comes back; a failed write had left half a line behind
      Files.delete(tomorrow);
      Files.writeString(tomorrow, "{\"seq\":2,\"ts\":\"2026-11-26T00:0");
      AuditFixtures.poll("log healthy again", log::healthy);

      AuditReceipt r = await(log.append(AuditTypes.ACCESS, access(4)));
      assertThat(r.seq()).isEqualTo(3);
    }
    List<JsonNode> recs = records(tmp);
    assertThat(recs).extracting(n -> n.get("type").asText())
        .containsExactly(AuditTypes.ACCESS, AuditTypes.AUDIT_RESUMED, AuditTypes.ACCESS);
    JsonNode resumed = recs.get(1);
    assertThat(resumed.get("refused").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(resumed.get("cause").asText()).contains("No space left on device");
    assertThat(recs.get(2).get("client").asText()).isEqualTo("c-4");
    assertIntact(tmp);
  }

  @Test
  void unusableDirectoryFailsAppendsThenRecoversByItself() throws Exception {
    // something that is not a directory sits where the audit directory should be; unlike
    // permissions this also stops root, which these tests may run as
    Path dir = tmp.resolve("audit");
    Files.writeString(dir, "not a directory");
    try (AuditLog log = open(dir, Clock.systemUTC())) {
      assertThat(log.healthy()).isFalse();
      Future<AuditReceipt> f = log.append(AuditTypes.ACCESS, access(1));
      assertThat(f.failed()).isTrue();
      assertThat(f.cause()).isInstanceOf(AuditUnavailable.class).hasMessageContaining("audit log unavailable");

      Files.delete(dir);
      AuditFixtures.poll("log healthy again", log::healthy);
      assertThat(await(log.append(AuditTypes.ACCESS, access(2))).seq()).isEqualTo(2);
    }
    assertThat(records(dir)).extracting(n -> n.get("type").asText())
        .containsExactly(AuditTypes.AUDIT_RESUMED, AuditTypes.ACCESS);
    assertThat(records(dir).get(0).get("prev").asText()).isEqualTo(AuditRecords.GENESIS);
    assertIntact(dir);
  }

  @Test
  void fullQueueFailsFastInsteadOfWaiting() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AuditLog.WriterHooks hold =
        new AuditLog.WriterHooks() {
          @Override
          public void afterWrite(int records) {
            writing.countDown();
            hold(release);
          }
        };
    AuditConfig small = AuditFixtures.config(tmp, AuditConfig.Durability.SYNC, 4);
    try (AuditLog log = AuditLog.open(small, "n1", Clock.systemUTC(), AuditMirror.NONE, hold, FAST_RETRY)) {
      Future<AuditReceipt> first = log.append(AuditTypes.ACCESS, access(0));
      assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue(); // the writer holds record 1
      List<Future<AuditReceipt>> queued = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        queued.add(log.append(AuditTypes.ACCESS, access(i)));
      }
      Future<AuditReceipt> overflow = log.append(AuditTypes.ACCESS, access(5));
      assertThat(overflow.failed()).isTrue();
      assertThat(overflow.cause()).isInstanceOf(AuditUnavailable.class).hasMessageContaining("queue is full");
      assertThat(log.healthy()).isTrue();

      release.countDown();
      assertThat(await(first).seq()).isEqualTo(1);
      for (Future<AuditReceipt> q : queued) {
        assertThat(await(q).durable()).isTrue();
      }
    }
    assertThat(records(tmp)).hasSize(5);
    assertIntact(tmp);
  }

  @Test
  void mirrorSeesEveryRecordAsWrittenInSeqOrder() {
    List<String> mirrored = new CopyOnWriteArrayList<>();
    try (AuditLog log =
        AuditLog.open(AuditFixtures.sync(tmp), "n1", Clock.systemUTC(), mirrored::add, AuditLog.WriterHooks.NONE, FAST_RETRY)) {
      for (int i = 0; i < 20; i++) {
        await(log.append(AuditTypes.ACCESS, access(i)));
      }
    }
    assertThat(mirrored).containsExactlyElementsOf(lines(files(tmp).get(0)));
  }

  @Test
  void closeWritesWhatIsQueuedAndRefusesLaterAppends() {
    AuditConfig async = AuditFixtures.config(tmp, AuditConfig.Durability.ASYNC, 1000);
    AuditLog log = AuditLog.open(async, "n1", Clock.systemUTC(), AuditMirror.NONE);
    for (int i = 0; i < 100; i++) {
      log.append(AuditTypes.ACCESS, access(i));
    }
    log.close();
    assertThat(records(tmp)).hasSize(100);
    assertThat(log.healthy()).isFalse();
    assertThat(log.append(AuditTypes.ACCESS, access(0)).cause())
        .isInstanceOf(AuditUnavailable.class).hasMessageContaining("closed");
  }

  @Test
  void recordsCarryTheirHeaderAndAHashOverTheirCanonicalForm() throws Exception {
    try (AuditLog log = open(tmp, Clock.fixed(Instant.parse("2026-11-26T10:15:30.123456Z"), java.time.ZoneOffset.UTC))) {
      Map<String, Object> fields = new java.util.LinkedHashMap<>();
      fields.put("path", "/clients/c-1/äccounts\n\"x\"");
      fields.put("unmasked", List.of("email", "phone"));
      fields.put("limits", Map.of("z", 1, "a", 2.5));
      fields.put("cut", false);
      fields.put("note", null);
      await(log.append(AuditTypes.ACCESS, fields));
    }
    String line = lines(files(tmp).get(0)).get(0);
    JsonNode rec = json(line);
    assertThat(rec.get("seq").asLong()).isEqualTo(1);
    assertThat(rec.get("ts").asText()).isEqualTo("2026-11-26T10:15:30.123Z");
    assertThat(rec.get("node").asText()).isEqualTo("n1");
    assertThat(rec.get("type").asText()).isEqualTo("access");
    assertThat(line).endsWith("\"hash\":\"" + rec.get("hash").asText() + "\"}");

    // the documented definition, independently: sorted keys, no whitespace, hash left out
    @SuppressWarnings("unchecked")
    Map<String, Object> members = AuditFixtures.JSON.readValue(line, Map.class);
    members.remove("hash");
    byte[] canonical =
        AuditFixtures.JSON.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .writeValueAsBytes(members);
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    assertThat(rec.get("hash").asText()).isEqualTo(expected);
    assertThat(new String(canonical, StandardCharsets.UTF_8))
        .startsWith("{\"cut\":false,\"limits\":{\"a\":2.5,\"z\":1},\"node\":\"n1\",\"note\":null,");
  }

  @Test
  void fieldsTheLogOwnsOrThatAreNotJsonAreRefused() {
    try (AuditLog log = open(tmp, Clock.systemUTC())) {
      assertThatThrownBy(() -> log.append(AuditTypes.ACCESS, Map.of("seq", 1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'seq'");
      assertThatThrownBy(() -> log.append(AuditTypes.ACCESS, Map.of("at", Instant.EPOCH)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'at'");
      assertThatThrownBy(() -> log.append("Access Granted", Map.of()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.append(AuditTypes.ACCESS, Map.of("x", Double.NaN)))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(files(tmp)).isEmpty();
  }

  private static JsonNode json(String line) {
    try {
      return AuditFixtures.JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void hold(CountDownLatch l) {
    try {
      if (!l.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class CompletableFutureHolder {
    private final java.util.concurrent.CompletableFuture<Boolean> f = new java.util.concurrent.CompletableFuture<>();

    void set(boolean v) {
      f.complete(v);
    }

    boolean get() throws Exception {
      return f.get(10, TimeUnit.SECONDS);
    }
  }
}
