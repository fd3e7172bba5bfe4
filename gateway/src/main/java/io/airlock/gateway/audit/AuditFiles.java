package io.airlock.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** File naming ({@code audit-<node>-<yyyy-MM-dd>.jsonl}) and start-up repair of a log's tail. */
final class AuditFiles {
  private AuditFiles() {}

  // node ids may contain '-': the date is fixed-width at the end, so the greedy group is safe
  private static final Pattern NAME =
      Pattern.compile("audit-(.+)-([0-9]{4}-[0-9]{2}-[0-9]{2})\\.jsonl");
  private static final ObjectMapper JSON = new ObjectMapper();
  // a record is a few hundred bytes; a "last line" longer than this is not a record
  private static final int MAX_LINE = 16 << 20;
  private static final int BLOCK = 8192;

  record Named(Path path, String node, LocalDate day) {}

  static String fileName(String node, LocalDate day) {
    return "audit-" + node + "-" + day + ".jsonl";
  }

  static Optional<Named> parse(Path path) {
    Matcher m = NAME.matcher(path.getFileName().toString());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Named(path, m.group(1), LocalDate.parse(m.group(2))));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** This node's files in {@code dir}, oldest day first. */
  static List<Named> list(Path dir, String node) throws IOException {
    List<Named> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "audit-*.jsonl")) {
      for (Path p : ds) {
        parse(p).filter(n -> n.node().equals(node)).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(Named::day));
    return out;
  }

  /**
   * A file's end after repair.
   *
   * @param size bytes that remain, all complete lines
   * @param truncated bytes of a torn last line that were cut off
   * @param lastSeq seq of the last complete record, or 0 when the file holds none
   * @param lastHash hash of that record, or null
   */
  record Tail(long size, long truncated, long lastSeq, String lastHash) {}

  /**
   * Cuts a torn last line (a write the process did not finish) and reads the last complete
   * record. A torn line was never acknowledged in {@code sync} mode: its batch was not fsync'd.
   *
   * @throws IOException also when the last complete line is not an intact record: continuing a
   *     chain on top of it would hide whatever happened to the file
   */
  static Tail repairTail(Path file, MessageDigest sha) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long lastNl = lastNewline(ch, size);
      long truncated = 0;
      if (size > 0 && lastNl != size - 1) {
        truncated = size - (lastNl + 1);
        ch.truncate(lastNl + 1);
        ch.force(true);
        size = lastNl + 1;
      }
      if (size == 0) {
        return new Tail(0, truncated, 0, null);
      }
      long lineStart = lastNewline(ch, lastNl) + 1;
      long len = lastNl - lineStart;
      if (len > MAX_LINE) {
        throw new IOException(file + ": last line is " + len + " bytes long, not an audit record");
      }
      byte[] line = new byte[(int) len];
      readFully(ch, ByteBuffer.wrap(line), lineStart);
      String claimed = AuditRecords.claimedHash(line, line.length);
      if (claimed == null || !claimed.equals(AuditRecords.contentHash(sha, line, line.length))) {
        throw new IOException(
            file
                + ": the last record does not match its hash; refusing to continue the chain on"
                + " top of it (run airlock audit verify)");
      }
      JsonNode n = JSON.readTree(line);
      JsonNode seq = n.get("seq");
      if (seq == null || !seq.canConvertToLong() || seq.longValue() < 1) {
        throw new IOException(file + ": the last record has no valid seq");
      }
      return new Tail(size, truncated, seq.longValue(), claimed);
    }
  }

  /** Position of the last '\n' before {@code end}, or -1. */
  private static long lastNewline(FileChannel ch, long end) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(BLOCK);
    long pos = end;
    while (pos > 0) {
      int n = (int) Math.min(BLOCK, pos);
      long from = pos - n;
      buf.clear().limit(n);
      readFully(ch, buf, from);
      for (int i = n - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return from + i;
        }
      }
      pos = from;
    }
    return -1;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
    long pos = at;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new IOException("unexpected end of file at " + pos);
      }
      pos += r;
    }
  }
}
