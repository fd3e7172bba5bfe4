package io.airlock.gateway.audit;

import static io.airlock.gateway.audit.AuditFixtures.assertIntact;
import static io.airlock.gateway.audit.AuditFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node killed with SIGKILL under load: what it acknowledged is on disk and the chain holds. */
class AuditKillTest {
  private static final Pattern ACK = Pattern.compile("ack ([0-9]+) ([0-9a-f]{64})");

  @TempDir Path tmp;

  @Test
  void sigkillUnderLoadLosesNoAcknowledgedRecordAndTheChainContinues() throws Exception {
    Path dir = tmp.resolve("audit");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child =
        new ProcessBuilder(java, "-Xmx128m", "-cp", cp, AuditKillChild.class.getName(), dir.toString())
            .redirectError(tmp.resolve("child.err").toFile())
            .start();
    List<String> lines = new CopyOnWriteArrayList<>();
    CountDownLatch acknowledged = new CountDownLatch(3000);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                  lines.add(l);
                  acknowledged.countDown();
                }
              } catch (Exception e) {
                // the pipe breaks when the child dies: everything read so far is in lines
              }
            });
    reader.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!acknowledged.await(100, TimeUnit.MILLISECONDS)) {
        assertThat(child.isAlive()).as("child still running (see child.err)").isTrue();
        assertThat(System.nanoTime()).as("3000 acknowledgements within 60 s").isLessThan(deadline);
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close, mid-batch
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));

    Map<Long, String> acked = new HashMap<>();
    for (String l : lines) {
      Matcher m = ACK.matcher(l);
      if (m.matches()) { // the very last line may be cut by the kill
        acked.put(Long.parseLong(m.group(1)), m.group(2));
      }
    }
    assertThat(acked).hasSizeGreaterThanOrEqualTo(3000);

    // a restarted node repairs a torn tail, then continues the chain
    long lastOnDisk;
    try (AuditLog log = AuditLog.open(AuditFixtures.sync(dir), "kill", Clock.systemUTC(), AuditMirror.NONE)) {
      assertThat(log.healthy()).isTrue();
      List<JsonNode> before = AuditFixtures.records(dir);
      lastOnDisk = before.get(before.size() - 1).get("seq").asLong();
      AuditReceipt next = await(log.append(AuditTypes.CONFIG_LOADED, Map.of("restart", true)));
      // right after the last record, or after the audit.repaired record for a torn line
      assertThat(next.seq()).isBetween(lastOnDisk + 1, lastOnDisk + 2);
    }
    assertIntact(dir);

    Map<Long, String> onDisk = new HashMap<>();
    for (JsonNode r : AuditFixtures.records(dir)) {
      onDisk.put(r.get("seq").asLong(), r.get("hash").asText());
    }
    assertThat(onDisk).containsAllEntriesOf(acked);
  }
}
