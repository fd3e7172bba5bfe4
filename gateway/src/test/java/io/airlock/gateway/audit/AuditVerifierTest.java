package io.airlock.gateway.audit;

import static io.airlock.gateway.audit.AuditFixtures.DAY1;
import static io.airlock.gateway.audit.AuditFixtures.access;
import static io.airlock.gateway.audit.AuditFixtures.await;
import static io.airlock.gateway.audit.AuditFixtures.files;
import static io.airlock.gateway.audit.AuditFixtures.lines;
import static io.airlock.gateway.audit.AuditFixtures.open;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.gateway.testing.HandClock;
import io.airlock.gateway.audit.AuditVerifier.Tampering;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of tampering, done by hand to a real log, is caught at the right record. */
class AuditVerifierTest {
  @TempDir Path tmp;
  private Path file;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void tenRecords() {
    try (AuditLog log = open(tmp, Clock.systemUTC())) {
      for (int i = 1; i <= 10; i++) {
        await(log.append(AuditTypes.ACCESS, access(i)));
      }
    }
    file = files(tmp).get(0);
  }

  private int cli(String... args) {
    return AuditCli.run(List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private void rewrite(List<String> lines) throws Exception {
    Files.writeString(file, String.join("\n", lines) + "\n");
  }

  @Test
  void anIntactLogPassesWithASummary() {
    assertThat(cli("verify", file.toString())).isZero();
    String hash = AuditFixtures.records(tmp).get(9).get("hash").asText();
    assertThat(stdout().trim())
        .isEqualTo("intact: node n1, 1 file, 10 records, seq 1..10, last hash " + hash);
  }

  @Test
  void editedRecord() throws Exception {
    List<String> l = lines(file);
    l.set(4, l.get(4).replace("\"c-5\"", "\"c-6\""));
    rewrite(l);
    assertThat(cli("verify", file.toString())).isEqualTo(1);
    assertThat(stdout()).contains(
        "BROKEN: " + file.getFileName() + " line 5 (seq 5): edited: its content does not match its hash");
  }

  @Test
  void editedHash() throws Exception {
    List<String> l = lines(file);
    String line = l.get(2);
    l.set(2, line.substring(0, line.length() - 3) + (line.charAt(line.length() - 3) == 'a' ? "b" : "a") + "\"}");
    rewrite(l);
    assertBreak(3, 3, Tampering.EDITED, "does not match its hash");
  }

  @Test
  void deletedRecord() throws Exception {
    List<String> l = lines(file);
    l.remove(4);
    rewrite(l);
    assertThat(cli("verify", file.toString())).isEqualTo(1);
    assertThat(stdout()).contains(
        "line 5 (seq 6): deleted: seq jumps from 4 to 6: 1 record is missing");
  }

  @Test
  void deletedRecordsWithTheRestRenumbered() throws Exception {
    // whoever deletes record 5 and forges 6..10 renumbered, each with a valid hash of its own,
    // still cannot make record 5's successor point at record 4
    List<String> l = lines(file);
    List<JsonNode> recs = AuditFixtures.records(tmp);
    List<String> forged = new ArrayList<>(l.subList(0, 4));
    String prev = recs.get(4).get("hash").asText(); // the deleted record's hash: what 6 points at
    for (int k = 5; k < 10; k++) {
      Map<String, Object> m = members(recs.get(k));
      m.put("seq", (long) k);
      m.put("prev", prev);
      String line = AuditFixtures.forge(m);
      forged.add(line);
      prev = AuditFixtures.JSON.readTree(line).get("hash").asText();
    }
    rewrite(forged);
    assertBreak(5, 5, Tampering.DELETED, "its prev does not match the hash of the record before it");
  }

  @Test
  void reorderedRecords() throws Exception {
    List<String> l = lines(file);
    Collections.swap(l, 4, 5);
    rewrite(l);
    assertBreak(5, 6, Tampering.REORDERED, "seq 6 comes before seq 5 (" + file.getFileName() + " line 6)");
  }

  @Test
  void recordMovedToTheEnd() throws Exception {
    List<String> l = lines(file);
    l.add(l.remove(2));
    rewrite(l);
    assertBreak(3, 4, Tampering.REORDERED, "seq 4 comes before seq 3");
  }

  @Test
  void truncatedMidLine() throws Exception {
    String content = Files.readString(file);
    Files.writeString(file, content.substring(0, content.length() - 40));
    assertThat(cli("verify", file.toString())).isEqualTo(1);
    assertThat(stdout()).contains(
        file.getFileName() + " line 10: truncated mid-line: the file ends in the middle of a record");
  }

  @Test
  void insertedForgeryThatCopiesTheNextSeq() throws Exception {
    List<JsonNode> recs = AuditFixtures.records(tmp);
    Map<String, Object> m = members(recs.get(5));
    m.put("client", "c-999"); // a record of an access that never went through Airlock
    List<String> l = lines(file);
    l.add(5, AuditFixtures.forge(m)); // same seq and prev as the real record 6 that follows
    rewrite(l);
    assertBreak(7, 6, Tampering.INSERTED, "both claim seq 6 after the same record: one of them was inserted");
  }

  @Test
  void insertedForgeryWithAnUnusedSeq() throws Exception {
    List<JsonNode> recs = AuditFixtures.records(tmp);
    Map<String, Object> m = members(recs.get(4));
    m.put("seq", 500L);
    List<String> l = lines(file);
    l.add(5, AuditFixtures.forge(m));
    rewrite(l);
    assertBreak(6, 500, Tampering.INSERTED, "seq 500 does not belong here: the chain goes on after it with seq 6");
  }

  @Test
  void insertedLineThatIsNotARecord() throws Exception {
    List<String> l = lines(file);
    l.add(3, "{\"note\":\"hello\"}");
    rewrite(l);
    assertBreak(4, 0, Tampering.MALFORMED, "not an audit record");
  }

  @Test
  void deletedFileBetweenDays() throws Exception {
    Path dir = tmp.resolve("days");
    HandClock clock = new HandClock(DAY1);
    try (AuditLog log = open(dir, clock)) {
      for (int day = 0; day < 3; day++) {
        await(log.append(AuditTypes.ACCESS, access(2 * day)));
        await(log.append(AuditTypes.ACCESS, access(2 * day + 1)));
        clock.advance(Duration.ofDays(1));
      }
    }
    List<Path> days = files(dir);
    assertThat(days).hasSize(3);
    // given out of order on purpose: the verifier orders a node's files by day
    assertThat(cli("verify", days.get(2).toString(), days.get(0).toString(), days.get(1).toString())).isZero();
    assertThat(stdout()).contains("intact: node n1, 3 files, 6 records, seq 1..6");

    out.reset();
    assertThat(cli("verify", days.get(0).toString(), days.get(2).toString())).isEqualTo(1);
    assertThat(stdout()).contains(
        "BROKEN: " + days.get(2).getFileName() + " line 1 (seq 5): deleted: seq jumps from 2 to 5 between "
            + days.get(0).getFileName() + " and this file: 2 records are missing");
  }

  @Test
  void aDirectoryStandsForItsFilesAndEachNodeIsItsOwnChain() throws Exception {
    try (AuditLog other = AuditLog.open(AuditFixtures.sync(tmp), "n2", Clock.systemUTC(), AuditMirror.NONE)) {
      await(other.append(AuditTypes.KILL_ALL, Map.of("epoch", 7)));
    }
    assertThat(cli("verify", tmp.toString())).isZero();
    assertThat(stdout()).contains("intact: node n1, 1 file, 10 records").contains("intact: node n2, 1 file, 1 record");
  }

  @Test
  void aLaterStretchOfTheChainVerifiesAndSaysWhereItStarts() throws Exception {
    List<String> l = lines(file);
    rewrite(l.subList(6, 10));
    assertThat(cli("verify", file.toString())).isZero();
    assertThat(stdout()).contains("4 records, seq 7..10").contains("starts at seq 7: earlier records were not given");
  }

  @Test
  void usageErrors() {
    assertThat(cli()).isEqualTo(2);
    assertThat(cli("verify")).isEqualTo(2);
    assertThat(cli("check")).isEqualTo(2);
    assertThat(cli("verify", tmp.resolve("missing.jsonl").toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing.jsonl: not a readable file");
    assertThat(cli("--help")).isZero();
  }

  private void assertBreak(long line, long seq, Tampering kind, String detail) throws Exception {
    AuditVerifier.Report r = AuditVerifier.verify(List.of(file));
    assertThat(r.intact()).isFalse();
    AuditVerifier.Break b = r.broken().orElseThrow();
    assertThat(b.file()).isEqualTo(file);
    assertThat(b.line()).isEqualTo(line);
    assertThat(b.seq()).isEqualTo(seq);
    assertThat(b.kind()).isEqualTo(kind);
    assertThat(b.detail()).contains(detail);
    assertThat(cli("verify", file.toString())).isEqualTo(1);
  }

  private static Map<String, Object> members(JsonNode rec) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = AuditFixtures.JSON.convertValue(rec, LinkedHashMap.class);
    m.remove("hash");
    return m;
  }
}
