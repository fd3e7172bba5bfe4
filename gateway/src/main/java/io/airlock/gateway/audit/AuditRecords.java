package io.airlock.gateway.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The on-disk record format, shared by the writer and the verifier so the two cannot drift.
 *
 * <p><b>Canonical form.</b> A record's canonical bytes are the UTF-8 JSON object of all its
 * members except {@code hash}: keys sorted by {@link String#compareTo} at every nesting level,
 * no whitespace, strings escaped the way Jackson does by default (quote, backslash and control
 * characters; other characters raw UTF-8), numbers as Jackson writes them. It is what Jackson
 * databind writes with {@code ORDER_MAP_ENTRIES_BY_KEYS} over a {@link TreeMap}; the log writes
 * the same bytes with a streaming generator (no map of the whole record, no intermediate copy).
 *
 * <p><b>Line.</b> The line written is the canonical bytes with {@code ,"hash":"<hex>"} inserted
 * before the closing brace, then {@code \n}; {@code hash} is the lower-case hex SHA-256 of the
 * canonical bytes. Because {@code hash} is always the last member, a verifier recovers the
 * canonical bytes exactly by cutting the 75-byte {@code ,"hash":"<64 hex>"} member off the
 * line and closing the brace: no JSON re-serialisation is involved, so verification does not
 * depend on any library's number or string formatting.
 */
final class AuditRecords {
  private AuditRecords() {}

  /** The {@code prev} of the very first record of a node's log. */
  static final String GENESIS = "0".repeat(64);

  static final Set<String> RESERVED = Set.of("seq", "ts", "node", "type", "prev", "hash");

  private static final byte[] HASH_MEMBER = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
  /** Length of {@code ,"hash":"<64 hex>"}} at the end of a line (without the newline). */
  static final int HASH_SUFFIX = HASH_MEMBER.length + 64 + 2;

  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  // no separator between records: each one is flushed into its own line
  private static final JsonFactory JSON = new JsonFactory().setRootValueSeparator(null);

  // fixed width, so records sort and read the same whatever the sub-millisecond part was
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TS_SECOND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

  static String timestamp(Instant t) {
    return TS.format(t);
  }

  /**
   * {@link #timestamp} for one thread that formats many instants a second: the date and time up
   * to the second is formatted once per second, the milliseconds are appended by hand.
   */
  static final class Timestamps {
    private long second = Long.MIN_VALUE;
    private char[] text = new char[0];
    private int secondLength;

    /** The timestamp's characters are {@code chars()[0, length)} until the next call. */
    int format(Instant t) {
      if (t.getEpochSecond() != second) {
        String s = TS_SECOND.format(t);
        secondLength = s.length();
        text = java.util.Arrays.copyOf(s.toCharArray(), secondLength + 4);
        second = t.getEpochSecond();
      }
      int ms = t.getNano() / 1_000_000;
      text[secondLength] = (char) ('0' + ms / 100);
      text[secondLength + 1] = (char) ('0' + ms / 10 % 10);
      text[secondLength + 2] = (char) ('0' + ms % 10);
      text[secondLength + 3] = 'Z';
      return secondLength + 4;
    }

    char[] chars() {
      return text;
    }
  }

  static void checkType(String type) {
    if (type == null || type.length() > 64 || !TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException(
          "audit record type must be lower-case words joined by '.', e.g. request.created: " + type);
    }
  }

  /**
   * A sorted deep copy of the caller's fields, so later changes to their map cannot alter a
   * queued record, and anything that is not plain JSON is refused on the caller's thread rather
   * than failing on the writer.
   */
  static TreeMap<String, Object> copyFields(Map<String, ?> fields) {
    TreeMap<String, Object> copy = new TreeMap<>();
    if (fields == null) {
      return copy;
    }
    for (Map.Entry<String, ?> e : fields.entrySet()) {
      String k = e.getKey();
      if (k == null) {
        throw new IllegalArgumentException("audit field name is null");
      }
      if (RESERVED.contains(k)) {
        throw new IllegalArgumentException("audit field '" + k + "' is set by the audit log itself");
      }
      copy.put(k, copyValue(k, e.getValue()));
    }
    return copy;
  }

  static Object copyValue(String at, Object v) {
    if (v == null
        || v instanceof String
        || v instanceof Boolean
        || v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger
        || v instanceof BigDecimal) {
      return v;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("audit field '" + at + "' is not a finite number: " + v);
      }
      return d;
    }
    if (v instanceof Map<?, ?> m) {
      TreeMap<String, Object> copy = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k)) {
          throw new IllegalArgumentException("audit field '" + at + "' has a non-text key");
        }
        copy.put(k, copyValue(at + "." + k, e.getValue()));
      }
      return copy;
    }
    if (v instanceof Collection<?> c) {
      List<Object> copy = new ArrayList<>(c.size());
      int i = 0;
      for (Object item : c) {
        copy.add(copyValue(at + "[" + i++ + "]", item));
      }
      return copy;
    }
    throw new IllegalArgumentException(
        "audit field '"
            + at
            + "' must be text, a number, a boolean, null, a list or a map, got "
            + v.getClass().getName());
  }

  /** A generator writing into {@code out}, one record per {@link JsonGenerator#flush()}. */
  static JsonGenerator generator(ByteSink out) {
    try {
      return JSON.createGenerator(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an in-memory sink does not fail
    }
  }

  /**
   * Writes a record's canonical bytes: its {@code names} (sorted) and {@code values} merged with
   * the members the log sets, in sorted order ({@code node prev seq ts type}).
   */
  static void writeCanonical(
      JsonGenerator g,
      String[] names,
      Object[] values,
      String node,
      String prev,
      long seq,
      char[] ts,
      int tsLength,
      String type)
      throws IOException {
    g.writeStartObject();
    int i = writeBefore(g, names, values, 0, "node");
    g.writeStringField("node", node);
    i = writeBefore(g, names, values, i, "prev");
    g.writeStringField("prev", prev);
    i = writeBefore(g, names, values, i, "seq");
    g.writeNumberField("seq", seq);
    i = writeBefore(g, names, values, i, "ts");
    g.writeFieldName("ts");
    g.writeString(ts, 0, tsLength);
    i = writeBefore(g, names, values, i, "type");
    g.writeStringField("type", type);
    writeBefore(g, names, values, i, null);
    g.writeEndObject();
    g.flush();
  }

  /** Writes members from {@code i} while their names sort before {@code name} (null: all). */
  private static int writeBefore(JsonGenerator g, String[] names, Object[] values, int i, String name)
      throws IOException {
    for (; i < names.length && (name == null || names[i].compareTo(name) < 0); i++) {
      g.writeFieldName(names[i]);
      writeValue(g, values[i]);
    }
    return i;
  }

  // the values copyValue admits, written as databind writes them
  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).intValue());
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof BigInteger b) {
      g.writeNumber(b);
    } else if (v instanceof BigDecimal b) {
      g.writeNumber(b);
    } else if (v instanceof Map<?, ?> m) { // a TreeMap from copyValue: sorted
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName((String) e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object item : list) {
        writeValue(g, item);
      }
      g.writeEndArray();
    } else {
      // copyValue admitted only plain JSON values, so this is a bug, not bad input
      throw new IllegalStateException("audit value of " + v.getClass().getName() + " was not copied");
    }
  }

  /** The canonical bytes of a complete record (its reserved members included). */
  static byte[] canonical(TreeMap<String, Object> record) {
    ByteSink out = new ByteSink(256);
    try (JsonGenerator g = generator(out)) {
      writeValue(g, record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return java.util.Arrays.copyOf(out.array(), out.size());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }

  static String hash(MessageDigest sha, byte[] canonical, int len) {
    return hash(sha, canonical, 0, len);
  }

  static String hash(MessageDigest sha, byte[] canonical, int off, int len) {
    sha.reset();
    sha.update(canonical, off, len);
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Writes the line for {@code canonical} (hash member last, newline) into {@code out}. */
  static void writeLine(ByteSink out, byte[] canonical, String hash) {
    out.write(canonical, 0, canonical.length);
    closeLine(out, hash);
  }

  /**
   * Turns the canonical bytes at the end of {@code out} into their line: the closing brace
   * gives way to the hash member, then the brace and the newline.
   */
  static void closeLine(ByteSink out, String hash) {
    out.count--;
    out.write(HASH_MEMBER, 0, HASH_MEMBER.length);
    byte[] hex = hash.getBytes(StandardCharsets.US_ASCII);
    out.write(hex, 0, hex.length);
    out.write('"');
    out.write('}');
    out.write('\n');
  }

  /**
   * The hash a line claims in its trailing {@code hash} member, or null when the line does not
   * end with one (then its canonical bytes cannot be recovered).
   *
   * @param len the line's length without the newline
   */
  static String claimedHash(byte[] line, int len) {
    if (len < HASH_SUFFIX + 2 || line[0] != '{' || line[len - 1] != '}' || line[len - 2] != '"') {
      return null;
    }
    int start = len - HASH_SUFFIX;
    for (int i = 0; i < HASH_MEMBER.length; i++) {
      if (line[start + i] != HASH_MEMBER[i]) {
        return null;
      }
    }
    String hex = new String(line, start + HASH_MEMBER.length, 64, StandardCharsets.US_ASCII);
    return HEX64.matcher(hex).matches() ? hex : null;
  }

  /**
   * The SHA-256 of a line's canonical bytes (the line without its hash member); call only when
   * {@link #claimedHash} found one.
   */
  static String contentHash(MessageDigest sha, byte[] line, int len) {
    int canonicalEnd = len - HASH_SUFFIX;
    sha.reset();
    sha.update(line, 0, canonicalEnd);
    sha.update((byte) '}');
    return HexFormat.of().formatHex(sha.digest());
  }

  /** A growable byte buffer whose contents can be handed to a channel without copying. */
  static final class ByteSink extends OutputStream {
    private byte[] buf;
    private int count;

    ByteSink(int initial) {
      buf = new byte[initial];
    }

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
      }
    }

    byte[] array() {
      return buf;
    }

    int size() {
      return count;
    }

    void reset() {
      count = 0;
    }
  }
}
