package io.airlock.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks audit files and the hash chain across them. Files named {@code
 * audit-<node>-<day>.jsonl} are grouped per node and ordered by day (each node has its own
 * chain); other files form one chain in the order given. Stops at the first broken record and
 * says why. Streams: memory does not grow with the size of the log.
 *
 * <p>What a hash chain cannot show on its own: records cut off the end of the newest file, or
 * a whole chain rewritten by someone who recomputed every hash. Compare the last seq and hash
 * reported here with a copy kept elsewhere (the Redis stream, shipped logs) to rule those out.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  // how far past a gap to look for the missing seq before calling it a deletion
  private static final int LOOKAHEAD_LINES = 100_000;

  public enum Tampering {
    /** The content no longer matches its hash, or the hash member was altered. */
    EDITED("edited"),
    /** A seq gap, or a prev that does not match the record before. */
    DELETED("deleted"),
    /** A seq that goes backwards, or a missing seq that turns up later. */
    REORDERED("reordered"),
    /** A record that does not belong to the chain around it. */
    INSERTED("inserted"),
    /** The last line ends without a newline: cut mid-record. */
    TRUNCATED("truncated mid-line"),
    /** A line that is not an audit record at all. */
    MALFORMED("malformed");

    private final String label;

    Tampering(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * The first broken record.
   *
   * @param line 1-based line number in {@code file}
   * @param seq the seq the line claims, or 0 when it has none
   */
  public record Break(Path file, long line, long seq, Tampering kind, String detail) {
    @Override
    public String toString() {
      return file.getFileName()
          + " line "
          + line
          + (seq > 0 ? " (seq " + seq + ")" : "")
          + ": "
          + kind.label()
          + ": "
          + detail;
    }
  }

  /**
   * One node's verified chain (or the verified part of it, when a break was found).
   *
   * @param node the node from the file names, or null for files named otherwise
   * @param fromGenesis whether the chain starts at seq 1 (otherwise earlier records were not
   *     given, and were not checked)
   */
  public record Chain(
      String node,
      List<Path> files,
      long records,
      long firstSeq,
      long lastSeq,
      String lastHash,
      boolean fromGenesis) {}

  public record Report(List<Chain> chains, Optional<Break> broken) {
    public boolean intact() {
      return broken.isEmpty();
    }
  }

  public static Report verify(List<Path> files) throws IOException {
    Map<String, List<Path>> groups = new LinkedHashMap<>();
    List<Path> unnamed = new ArrayList<>();
    for (Path p : files) {
      Optional<AuditFiles.Named> n = AuditFiles.parse(p);
      if (n.isPresent()) {
        List<Path> g = groups.computeIfAbsent(n.get().node(), k -> new ArrayList<>());
        if (!g.contains(p)) {
          g.add(p);
        }
      } else if (!unnamed.contains(p)) {
        unnamed.add(p);
      }
    }
    List<Chain> chains = new ArrayList<>();
    for (Map.Entry<String, List<Path>> g : groups.entrySet()) {
      List<Path> ordered = new ArrayList<>(g.getValue());
      ordered.sort(
          Comparator.comparing((Path p) -> AuditFiles.parse(p).orElseThrow().day())
              .thenComparing(Path::toString));
      Optional<Break> b = new ChainCheck(g.getKey(), ordered).run(chains);
      if (b.isPresent()) {
        return new Report(chains, b);
      }
    }
    if (!unnamed.isEmpty()) {
      Optional<Break> b = new ChainCheck(null, unnamed).run(chains);
      if (b.isPresent()) {
        return new Report(chains, b);
      }
    }
    return new Report(chains, Optional.empty());
  }

  private static final class ChainCheck {
    private final String node;
    private final List<Path> files;
    private final MessageDigest sha = AuditRecords.sha256();
    private long records;
    private long firstSeq;
    private long expectSeq; // 0 until the first record
    private String expectPrev;
    private long lastSeq;
    private String lastPrev;
    private Line lastLine;

    ChainCheck(String node, List<Path> files) {
      this.node = node;
      this.files = files;
    }

    Optional<Break> run(List<Chain> out) throws IOException {
      Optional<Break> b = check();
      out.add(
          new Chain(
              node, List.copyOf(files), records, firstSeq, lastSeq, expectPrev, firstSeq == 1));
      return b;
    }

    private Optional<Break> check() throws IOException {
      try (Cursor c = new Cursor(files)) {
        for (Line l = c.next(); l != null; l = c.next()) {
          Optional<Break> b = checkLine(l);
          if (b.isPresent()) {
            return b;
          }
          lastLine = l;
        }
      }
      return Optional.empty();
    }

    private Optional<Break> checkLine(Line l) throws IOException {
      if (!l.terminated) {
        return brk(l, 0, Tampering.TRUNCATED,
            "the file ends in the middle of a record (" + l.len + " bytes without a newline)");
      }
      Parsed p = parse(l);
      if (p == null) {
        return brk(l, 0, Tampering.MALFORMED,
            "not an audit record (not a JSON object with seq, prev and hash)");
      }
      String claimed = AuditRecords.claimedHash(l.bytes, l.len);
      if (claimed == null) {
        return brk(l, p.seq, Tampering.EDITED, "the hash member was altered or moved");
      }
      if (!claimed.equals(AuditRecords.contentHash(sha, l.bytes, l.len))) {
        return brk(l, p.seq, Tampering.EDITED, "its content does not match its hash");
      }
      if (expectSeq == 0) {
        firstSeq = p.seq;
        if (p.seq == 1 && !p.prev.equals(AuditRecords.GENESIS)) {
          return brk(l, p.seq, Tampering.EDITED,
              "the first record's prev is not the genesis value (the log's start was rewritten)");
        }
      } else if (p.seq == expectSeq) {
        if (!p.prev.equals(expectPrev)) {
          return brk(l, p.seq, Tampering.DELETED,
              "its prev does not match the hash of the record before it ("
                  + where(lastLine)
                  + "): records were removed and the rest renumbered, or that record was replaced");
        }
      } else if (p.seq > expectSeq) {
        return Optional.of(gap(l, p));
      } else if (p.seq == lastSeq && p.prev.equals(lastPrev)) {
        return brk(l, p.seq, Tampering.INSERTED,
            "it and the record before it ("
                + where(lastLine)
                + ") both claim seq "
                + p.seq
                + " after the same record: one of them was inserted");
      } else {
        return brk(l, p.seq, Tampering.REORDERED,
            "seq " + p.seq + " goes backwards after seq " + lastSeq + " (" + where(lastLine) + ")");
      }
      records++;
      lastSeq = p.seq;
      lastPrev = p.prev;
      expectSeq = p.seq + 1;
      expectPrev = claimed;
      return Optional.empty();
    }

    /**
     * A seq ahead of the expected one: an inserted record when the chain goes on as if it were
     * not there, a reordering when the missing seq turns up later, otherwise a deletion.
     */
    private Break gap(Line l, Parsed p) throws IOException {
      try (Cursor ahead = new Cursor(files)) {
        ahead.skipTo(l.file, l.number);
        Line a1 = ahead.next();
        Line a2 = a1 == null ? null : ahead.next();
        Parsed q1 = a1 != null && a1.terminated ? parse(a1) : null;
        Parsed q2 = a2 != null && a2.terminated ? parse(a2) : null;
        boolean chainSkipsIt =
            q1 != null
                && q1.seq == expectSeq
                && q1.prev.equals(expectPrev)
                && (a2 == null
                    || (q2 != null
                        && q2.seq == expectSeq + 1
                        && q2.prev.equals(AuditRecords.claimedHash(a1.bytes, a1.len))));
        if (chainSkipsIt) {
          return new Break(files.get(l.file), l.number, p.seq, Tampering.INSERTED,
              "seq " + p.seq + " does not belong here: the chain goes on after it with seq "
                  + expectSeq);
        }
        int seen = 0;
        for (Line a = a1; a != null && seen < LOOKAHEAD_LINES; seen++) {
          Parsed q = a == a1 ? q1 : a == a2 ? q2 : a.terminated ? parse(a) : null;
          if (q != null && q.seq >= expectSeq && q.seq < p.seq) {
            return new Break(files.get(l.file), l.number, p.seq, Tampering.REORDERED,
                "seq " + p.seq + " comes before seq " + q.seq + " (" + where(a) + ")");
          }
          a = a == a1 ? a2 : ahead.next();
        }
      }
      long missing = p.seq - expectSeq;
      String across =
          l.number == 1 && l.file > 0
              ? " between " + files.get(l.file - 1).getFileName() + " and this file"
              : "";
      return new Break(files.get(l.file), l.number, p.seq, Tampering.DELETED,
          "seq jumps from " + (expectSeq - 1) + " to " + p.seq + across + ": " + missing
              + (missing == 1 ? " record is" : " records are") + " missing");
    }

    private Optional<Break> brk(Line l, long seq, Tampering kind, String detail) {
      return Optional.of(new Break(files.get(l.file), l.number, seq, kind, detail));
    }

    private String where(Line l) {
      if (l == null) {
        return "none";
      }
      return files.get(l.file).getFileName() + " line " + l.number;
    }
  }

  private record Parsed(long seq, String prev) {}

  private static Parsed parse(Line l) {
    JsonNode n;
    try {
      n = JSON.readTree(l.bytes, 0, l.len);
    } catch (IOException e) {
      return null;
    }
    if (n == null || !n.isObject()) {
      return null;
    }
    JsonNode seq = n.get("seq");
    JsonNode prev = n.get("prev");
    if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 1
        || prev == null || !prev.isTextual() || !n.has("hash")) {
      return null;
    }
    return new Parsed(seq.longValue(), prev.textValue());
  }

  /** One line without its newline. */
  private static final class Line {
    int file;
    long number;
    byte[] bytes;
    int len;
    boolean terminated;
  }

  /** Lines of several files in order, with file index and 1-based line number. */
  private static final class Cursor implements AutoCloseable {
    private final List<Path> files;
    private int file = -1;
    private long number;
    private InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);

    Cursor(List<Path> files) {
      this.files = files;
    }

    void skipTo(int fileIndex, long lineNumber) throws IOException {
      Line l;
      do {
        l = next();
      } while (l != null && (l.file < fileIndex || (l.file == fileIndex && l.number < lineNumber)));
    }

    Line next() throws IOException {
      while (true) {
        if (in == null) {
          if (file + 1 >= files.size()) {
            return null;
          }
          file++;
          number = 0;
          in = new BufferedInputStream(Files.newInputStream(files.get(file)), 1 << 16);
        }
        line.reset();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
          line.write(b);
        }
        if (b < 0 && line.size() == 0) {
          in.close();
          in = null;
          continue;
        }
        Line l = new Line();
        l.file = file;
        l.number = ++number;
        l.bytes = line.toByteArray();
        l.len = l.bytes.length;
        l.terminated = b == '\n';
        return l;
      }
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
      }
    }
  }
}
