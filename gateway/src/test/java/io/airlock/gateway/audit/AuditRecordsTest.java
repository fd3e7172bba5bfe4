package io.airlock.gateway.audit;

import static io.airlock.gateway.audit.AuditFixtures.assertIntact;
import static io.airlock.gateway.audit.AuditFixtures.await;
import static io.airlock.gateway.audit.AuditFixtures.files;
import static io.airlock.gateway.audit.AuditFixtures.lines;
import static io.airlock.gateway.audit.AuditFixtures.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log writes canonical bytes with a streaming generator; the format is defined as what
 * Jackson databind writes over a sorted map. These pin the two together, so files written before
 * and after the switch hash the same way.
 */
class AuditRecordsTest {
  private static final ObjectMapper DATABIND =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final Instant NOW = Instant.parse("2026-11-26T10:15:30.123456Z");

  @TempDir Path tmp;

  @Test
  void everyLineIsDatabindsCanonicalFormPlusItsHash() throws Exception {
    // names that sort before, between and after the members the log sets (node prev seq ts type)
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("a", "ä \u0000 \u001f \" \\ / \u2028 \uD83D\uDE00 <>&");
    fields.put("nod", 1);
    fields.put("node0", Long.MAX_VALUE);
    fields.put("o", (short) -7);
    fields.put("pre", (byte) 3);
    fields.put("prev0", new BigDecimal("1.10"));
    fields.put("q", new BigInteger("123456789012345678901234567890"));
    fields.put("seq0", 0.1 + 0.2);
    fields.put("t", 1.5f);
    fields.put("ts0", -0.0);
    fields.put("tz", List.of(1, "x", List.of(), Map.of()));
    fields.put("u", Map.of("z", Map.of("b", true, "a", false), "A", "upper first"));
    fields.put("zz", null);
    Map<String, Object> random = randomFields(new Random(20261126), 40);
    try (AuditLog log = open(tmp, Clock.fixed(NOW, ZoneOffset.UTC))) {
      await(log.append(AuditTypes.ACCESS, fields));
      await(log.append("request.created", random));
    }
    List<String> lines = lines(files(tmp).get(0));
    String first = AuditRecords.claimedHash(bytes(lines.get(0)), bytes(lines.get(0)).length);
    assertThat(lines.get(0)).isEqualTo(databindLine(fields, 1, "access", AuditRecords.GENESIS));
    assertThat(lines.get(1)).isEqualTo(databindLine(random, 2, "request.created", first));
    assertIntact(tmp);
  }

  @Test
  void aShapeWritesTheSameRecordAsAMapWithTheSameFields() throws Exception {
    AuditShape shape = new AuditShape("route", "agent", "unmasked", "durationMs", "masking");
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("route", "crm");
    map.put("agent", "claude@acme");
    map.put("unmasked", List.of("email"));
    map.put("durationMs", 1.25);
    map.put("masking", null);
    AuditShape.Fields f = shape.fields().put("route", "crm").put("agent", "claude@acme");
    f.put("unmasked", List.of("email")).put("durationMs", 1.25); // masking never put: null
    Path a = tmp.resolve("map");
    Path b = tmp.resolve("shape");
    try (AuditLog log = open(a, Clock.fixed(NOW, ZoneOffset.UTC))) {
      await(log.append(AuditTypes.ACCESS, map));
    }
    try (AuditLog log = open(b, Clock.fixed(NOW, ZoneOffset.UTC))) {
      await(log.append(AuditTypes.ACCESS, f));
      f.put("route", "changed after append"); // the queued record took a copy
      await(log.append(AuditTypes.ACCESS, shape.fields()));
    }
    assertThat(lines(files(b).get(0)).get(0)).isEqualTo(lines(files(a).get(0)).get(0));
    assertThat(lines(files(b).get(0)).get(1)).contains("\"route\":null");
    assertIntact(b);
  }

  @Test
  void aShapeRefusesWhatAMapWouldBeRefused() {
    assertThatThrownBy(() -> new AuditShape("agent", "seq"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'seq'");
    assertThatThrownBy(() -> new AuditShape("agent", "agent"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    AuditShape.Fields f = new AuditShape("agent").fields();
    assertThatThrownBy(() -> f.put("route", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'route'");
    assertThatThrownBy(() -> f.put("agent", Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'agent'");
    assertThatThrownBy(() -> f.put("agent", Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
  }

  @Test
  void cachedSecondsFormatLikeTheFormatter() {
    AuditRecords.Timestamps ts = new AuditRecords.Timestamps();
    List<Instant> instants = new ArrayList<>(List.of(
        NOW, NOW.plusNanos(1), NOW.plusMillis(876), NOW.plusMillis(877), NOW, // same second, back
        Instant.parse("2026-11-26T23:59:59.999999999Z"), Instant.parse("2026-11-27T00:00:00Z"),
        Instant.parse("1969-12-31T23:59:59.001Z"), Instant.parse("+10000-01-01T00:00:00.050Z")));
    Random r = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      instants.add(Instant.ofEpochSecond(1_700_000_000L + r.nextInt(5), r.nextInt(1_000_000_000)));
    }
    for (Instant t : instants) {
      int n = ts.format(t);
      assertThat(new String(ts.chars(), 0, n)).as("%s", t).isEqualTo(AuditRecords.timestamp(t));
    }
  }

  private static String databindLine(Map<String, Object> fields, long seq, String type, String prev)
      throws Exception {
    TreeMap<String, Object> rec = new TreeMap<>(fields);
    rec.put("seq", seq);
    rec.put("ts", "2026-11-26T10:15:30.123Z");
    rec.put("node", "n1");
    rec.put("type", type);
    rec.put("prev", prev);
    byte[] canonical = DATABIND.writeValueAsBytes(rec);
    String hash = AuditRecords.hash(AuditRecords.sha256(), canonical, canonical.length);
    String json = new String(canonical, StandardCharsets.UTF_8);
    return json.substring(0, json.length() - 1) + ",\"hash\":\"" + hash + "\"}";
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Object> randomFields(Random r, int n) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String name = randomText(r, 1 + r.nextInt(6));
      if (AuditRecords.RESERVED.contains(name)) {
        continue;
      }
      m.put(name, switch (r.nextInt(6)) {
        case 0 -> randomText(r, r.nextInt(30));
        case 1 -> r.nextLong();
        case 2 -> r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
        case 3 -> r.nextBoolean();
        case 4 -> List.of(randomText(r, 3), r.nextInt());
        default -> Map.of(randomText(r, 2), randomText(r, 4));
      });
    }
    return m;
  }

  // control characters, ASCII, Latin-1, BMP and supplementary code points
  private static String randomText(Random r, int len) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < len; i++) {
      int cp = switch (r.nextInt(4)) {
        case 0 -> r.nextInt(0x20);
        case 1 -> 0x20 + r.nextInt(0x5f);
        case 2 -> 0xa0 + r.nextInt(0xd000);
        default -> 0x10000 + r.nextInt(0x1000);
      };
      b.appendCodePoint(cp);
    }
    return b.toString();
  }
}
