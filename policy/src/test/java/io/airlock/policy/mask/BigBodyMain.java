package io.airlock.policy.mask;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import io.airlock.policy.mask.MaskingProfile.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Streams a generated JSON array of {@code args[0]} MB of client records through a masker in 64 KiB
 * chunks and checks the output as it streams with a second non-blocking parser. Run in a JVM with a
 * small heap: if anything accumulated, it would die of OutOfMemoryError.
 *
 * <p>Prints {@code in=<bytes> out=<bytes> records=<n> leaked=<n> maxUsedHeap=<bytes>}; exit 0 when
 * the output was one valid JSON array of n records with no planted value in it.
 */
public final class BigBodyMain {
  private BigBodyMain() {}

  public static void main(String[] args) throws Exception {
    long target = Long.parseLong(args[0]) * 1024 * 1024;
    byte[] record = (MaskFixtures.DEMO_RECORD + ",").getBytes(StandardCharsets.UTF_8);
    Set<String> planted = Set.of(MaskFixtures.DEMO_SENSITIVE);

    StreamingMasker masker = StreamingMasker.create(
        MaskFixtures.demoProfile(Mode.ALLOW), MaskFixtures.options());
    Checker checker = new Checker(planted);

    byte[] chunk = new byte[64 * 1024];
    long in = 0;
    long records = 0;
    int fill = 0;
    chunk[fill++] = '[';
    int recPos = 0;
    long maxUsed = 0;
    Runtime rt = Runtime.getRuntime();
    // the last record is written without its comma, then the closing bracket
    while (in + fill < target || recPos != 0) {
      int n = Math.min(chunk.length - fill, record.length - recPos);
      System.arraycopy(record, recPos, chunk, fill, n);
      fill += n;
      recPos += n;
      if (recPos == record.length) {
        recPos = 0;
        records++;
      }
      if (fill == chunk.length) {
        masker.feed(chunk, 0, fill, checker);
        in += fill;
        fill = 0;
        if ((in & ((1 << 24) - 1)) == 0) {
          maxUsed = Math.max(maxUsed, rt.totalMemory() - rt.freeMemory());
        }
      }
    }
    // replace the trailing comma with the closing bracket
    if (fill > 0) {
      chunk[fill - 1] = ']';
      masker.feed(chunk, 0, fill, checker);
      in += fill;
    } else {
      throw new IllegalStateException("chunk boundary fell on the last comma; change the size");
    }
    masker.finish(checker);
    checker.end();
    maxUsed = Math.max(maxUsed, rt.totalMemory() - rt.freeMemory());
    System.out.println("in=" + in + " out=" + checker.out + " records=" + records
        + " seen=" + checker.records + " leaked=" + checker.leaked + " maxUsedHeap=" + maxUsed);
    boolean ok = checker.records == records && checker.leaked == 0 && checker.complete;
    System.exit(ok ? 0 : 1);
  }

  /** Validates masked output incrementally: one array of objects, no planted value. */
  private static final class Checker implements ByteSink {
    private final JsonParser p;
    private final ByteArrayFeeder feeder;
    private final Set<String> planted;
    long out;
    long records;
    long leaked;
    int depth;
    boolean complete;

    Checker(Set<String> planted) throws IOException {
      this.planted = planted;
      this.p = new JsonFactory().createNonBlockingByteArrayParser();
      this.feeder = (ByteArrayFeeder) p.getNonBlockingInputFeeder();
    }

    @Override
    public void write(byte[] b, int off, int len) {
      out += len;
      try {
        feeder.feedInput(b, off, off + len);
        drain();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void end() throws IOException {
      feeder.endOfInput();
      drain();
    }

    private void drain() throws IOException {
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.NOT_AVAILABLE && t != null) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> {
            if (--depth == 1 && t == JsonToken.END_OBJECT) {
              records++;
            } else if (depth == 0) {
              complete = true;
            }
          }
          case VALUE_STRING, VALUE_NUMBER_INT -> {
            if (planted.contains(p.getText())) {
              leaked++;
            }
          }
          default -> { }
        }
      }
    }
  }
}
