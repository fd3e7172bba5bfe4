package io.airlock.gateway.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import io.airlock.gateway.audit.AuditRecords.ByteSink;
import io.airlock.policy.config.AuditConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's write-ahead, hash-chained audit log: JSON lines in {@code
 * <dir>/audit-<node>-<yyyy-MM-dd>.jsonl}, one file per UTC day (format: {@link AuditRecords}).
 *
 * <p><b>Group commit.</b> Appends go into a bounded queue. One dedicated writer thread (not an
 * event loop, not the Vert.x worker pool, so a slow disk never stalls either) takes up to
 * {@code maxBatch} records at a time, numbers and chains them in queue order, writes them with
 * one positional write, calls {@link FileChannel#force(boolean)} once, and only then completes
 * the batch's futures. In {@code sync} durability a future therefore completes when its record
 * is on disk; in {@code async} it completes at once with {@link AuditReceipt#QUEUED}, and the
 * writer commits at most once per {@link #ASYNC_COMMIT_WINDOW}.
 *
 * <p><b>Faults.</b> When a write, fsync or open fails (directory missing or not writable, disk
 * full, I/O error), the batch fails with {@link AuditUnavailable}, whatever part of it reached
 * the file is cut off again, {@link #healthy()} turns false and every append is refused at once.
 * The writer retries every {@code retry} interval; the first retry that can write records an
 * {@code audit.resumed} record, which is how the log becomes healthy again. At start-up a torn
 * last line (a process killed mid-write) is cut off, logged, and recorded as {@code
 * audit.repaired}; the chain continues from the last complete record, across days and restarts.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  static final Duration DEFAULT_RETRY = Duration.ofMillis(250);

  /**
   * In {@code async} durability, the longest a queued record waits for the writer. Nobody waits
   * on the disk there, so the writer gathers this long per write and fsync instead of waking for
   * every record: on a busy node that woke it for one or two records at a time, and the fsyncs
   * were over half of the data plane's CPU (strace and /proc/PID/stat, docs/benchmarks.md). Also
   * bounds what a crash can lose beyond what was queued, which async already accepts.
   */
  static final Duration ASYNC_COMMIT_WINDOW = Duration.ofMillis(5);

  /** Test seams on the writer thread, between the write, the fsync and the completions. */
  interface WriterHooks {
    default void afterWrite(int records) {}

    default void afterForce(int records) {}

    WriterHooks NONE = new WriterHooks() {};
  }

  private static final class Pending {
    final String type;
    final String[] names; // sorted, none reserved
    final Object[] values; // copied: plain JSON only, owned by the log
    final Promise<AuditReceipt> promise; // null: async, or written by the log itself
    final Context context; // null: complete on the writer thread

    Pending(String type, String[] names, Object[] values, Promise<AuditReceipt> promise, Context context) {
      this.type = type;
      this.names = names;
      this.values = values;
      this.promise = promise;
      this.context = context;
    }

    /** A record the log writes itself. */
    static Pending internal(String type, Map<String, ?> fields) {
      TreeMap<String, Object> copy = AuditRecords.copyFields(fields);
      return new Pending(type, copy.keySet().toArray(new String[0]), copy.values().toArray(), null, null);
    }
  }

  private static final Pending CLOSE = new Pending("close", new String[0], new Object[0], null, null);

  private final Path dir;
  private final String nodeId;
  private final boolean sync;
  private final int maxBatch;
  private final int queueCapacity;
  private final Clock clock;
  private final AuditMirror mirror;
  private final WriterHooks hooks;
  // writer thread only
  private long lastCommitNanos = System.nanoTime() - ASYNC_COMMIT_WINDOW.toNanos();
  private final long retryNanos;
  private final ArrayBlockingQueue<Pending> queue;
  private final Thread thread;

  private volatile boolean up;
  private volatile String problem;
  private volatile boolean closing;
  private volatile boolean stopped;
  private final LongAdder refusedWhileDown = new LongAdder();

  // writer thread only (and the opening thread, before the writer starts)
  private final MessageDigest sha = AuditRecords.sha256();
  private final ByteSink buf = new ByteSink(64 << 10);
  private final AuditRecords.Timestamps timestamps = new AuditRecords.Timestamps();
  private final List<Pending> internal = new ArrayList<>();
  private boolean chainKnown;
  private long nextSeq;
  private String prev;
  private LocalDate currentDay;
  private FileChannel channel;
  private long goodSize;
  private Instant downSince;
  private long nextProbeNanos;

  private AuditLog(
      AuditConfig config,
      String nodeId,
      Clock clock,
      AuditMirror mirror,
      WriterHooks hooks,
      Duration retry) {
    this.dir = config.dir();
    this.nodeId = nodeId;
    this.sync = config.durability() == AuditConfig.Durability.SYNC;
    this.maxBatch = config.maxBatch();
    this.queueCapacity = config.queueCapacity();
    this.clock = clock;
    this.mirror = mirror;
    this.hooks = hooks;
    this.retryNanos = retry.toNanos();
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.thread = new Thread(this::run, "airlock-audit-writer");
    // close() drains; a JVM that exits without it loses only what was never acknowledged in sync
    thread.setDaemon(true);
  }

  /**
   * Opens (or continues) the log and starts its writer. Blocking: reads and, if torn, repairs
   * the newest file; call at start-up, not on an event loop. A directory that cannot be used
   * does not throw: the log starts unhealthy and keeps retrying.
   *
   * @param nodeId names the files and goes into every record
   */
  public static AuditLog open(AuditConfig config, String nodeId, Clock clock, AuditMirror mirror) {
    return open(config, nodeId, clock, mirror, WriterHooks.NONE, DEFAULT_RETRY);
  }

  static AuditLog open(
      AuditConfig config,
      String nodeId,
      Clock clock,
      AuditMirror mirror,
      WriterHooks hooks,
      Duration retry) {
    AuditLog l = new AuditLog(config, nodeId, clock, mirror, hooks, retry);
    try {
      l.recover();
      l.up = true;
    } catch (IOException | RuntimeException e) {
      l.goDown(e);
    }
    l.thread.start();
    return l;
  }

  /**
   * Appends a record. Never blocks: a full queue or an unhealthy log fails the future at once.
   *
   * @param type e.g. {@code access} or {@code request.created} (see {@link AuditTypes})
   * @param fields the type's fields: text, numbers, booleans, null, lists and maps of those; the
   *     names {@code seq ts node type prev hash} are set by the log
   * @return in {@code sync}, completes once the record is fsync'd, on the caller's Vert.x
   *     context (outside Vert.x: on the writer thread, so keep such listeners short); in {@code
   *     async}, already completed with {@link AuditReceipt#QUEUED}. Fails with {@link
   *     AuditUnavailable}.
   * @throws IllegalArgumentException for a malformed type or a field that is not plain JSON
   */
  public Future<AuditReceipt> append(String type, Map<String, ?> fields) {
    AuditRecords.checkType(type);
    TreeMap<String, Object> copy = AuditRecords.copyFields(fields);
    return enqueue(type, copy.keySet().toArray(new String[0]), copy.values().toArray());
  }

  /**
   * {@link #append(String, Map)} for a record of a fixed {@link AuditShape}, without a map: for
   * the data plane's per-request records. {@code fields} may be reused once this returns.
   */
  public Future<AuditReceipt> append(String type, AuditShape.Fields fields) {
    AuditRecords.checkType(type);
    return enqueue(type, fields.shape.names, fields.values.clone());
  }

  private Future<AuditReceipt> enqueue(String type, String[] names, Object[] values) {
    if (closing) {
      return Future.failedFuture(closed());
    }
    if (!up) {
      refusedWhileDown.increment();
      return Future.failedFuture(new AuditUnavailable("audit log unavailable: " + problem));
    }
    Promise<AuditReceipt> promise = sync ? Promise.promise() : null;
    Pending p = new Pending(type, names, values, promise, sync ? Vertx.currentContext() : null);
    if (!queue.offer(p)) {
      return Future.failedFuture(
          new AuditUnavailable(
              "audit queue is full (" + queueCapacity + " records waiting for the disk)"));
    }
    // the writer may have stopped between the check above and the offer: nobody would take it
    if (stopped && queue.remove(p)) {
      return Future.failedFuture(closed());
    }
    return sync ? promise.future() : Future.succeededFuture(AuditReceipt.QUEUED);
  }

  /** False while records cannot be written (or after close); {@code /health/ready} follows it. */
  public boolean healthy() {
    return up && !closing;
  }

  /** Why the log is unhealthy, when it is. */
  public Optional<String> problem() {
    return up ? Optional.empty() : Optional.ofNullable(problem);
  }

  public Path directory() {
    return dir;
  }

  /**
   * Stops taking appends, writes what is queued, and stops the writer. Blocking: call on
   * shutdown, not on an event loop.
   */
  @Override
  public void close() {
    closing = true;
    try {
      while (!queue.offer(CLOSE, 100, TimeUnit.MILLISECONDS)) {
        if (!thread.isAlive()) {
          break;
        }
      }
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- writer thread ------------------------------------------------------------------------

  private void run() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    boolean stop = false;
    while (!stop) {
      batch.clear();
      try {
        Pending first;
        if (up) {
          first = internal.isEmpty() ? queue.take() : queue.poll();
        } else {
          long wait = nextProbeNanos - System.nanoTime();
          first = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
        }
        if (first != null) {
          if (!sync && first != CLOSE) {
            long wait = lastCommitNanos + ASYNC_COMMIT_WINDOW.toNanos() - System.nanoTime();
            // a full batch (or a queue smaller than one) goes at once: waiting cannot grow it
            if (wait > 0 && queue.size() < Math.min(maxBatch, queueCapacity) - 1) {
              LockSupport.parkNanos(wait);
            }
          }
          batch.add(first);
          queue.drainTo(batch, maxBatch - 1);
        }
      } catch (InterruptedException e) {
        // nothing interrupts this thread on purpose (it would close the channel mid-write)
        stop = true;
      }
      for (int i = 0; i < batch.size(); i++) {
        if (batch.get(i) == CLOSE) {
          batch.remove(i);
          stop = true;
          break;
        }
      }
      if (up) {
        if (!batch.isEmpty() || !internal.isEmpty()) {
          write(batch);
        }
      } else {
        fail(batch, 0, batch.size(), new AuditUnavailable("audit log unavailable: " + problem));
        if (System.nanoTime() - nextProbeNanos >= 0 && !stop) {
          probe();
        }
      }
    }
    stopped = true;
    List<Pending> rest = new ArrayList<>();
    queue.drainTo(rest);
    rest.remove(CLOSE);
    fail(rest, 0, rest.size(), closed());
    closeChannel();
  }

  /** Tries to write an {@code audit.resumed} record; success is what makes the log healthy. */
  private void probe() {
    long refused = refusedWhileDown.sum();
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("downSince", AuditRecords.timestamp(downSince));
    f.put("refused", refused);
    f.put("cause", problem);
    Pending resumed = Pending.internal(AuditTypes.AUDIT_RESUMED, f);
    internal.add(resumed);
    if (write(List.of())) {
      refusedWhileDown.add(-refused);
      log.info("audit log writable again in {}; {} appends were refused while it was not", dir, refused);
      problem = null;
      up = true;
    } else {
      internal.remove(resumed);
    }
  }

  /**
   * Writes the log's own pending records, then {@code batch}, in as many segments as there are
   * days in it; each segment is written, fsync'd, and then acknowledged.
   *
   * @return whether everything was written
   */
  private boolean write(List<Pending> batch) {
    List<Pending> all = batch;
    int internalCount = internal.size();
    if (internalCount > 0) {
      all = new ArrayList<>(internal);
      all.addAll(batch);
    }
    AuditReceipt[] receipts = new AuditReceipt[all.size()];
    int[] lineStarts = new int[all.size() + 1];
    int segStart = 0;
    // per batch, not per log: a generator a failed record left mid-object is not reused
    try (JsonGenerator gen = AuditRecords.generator(buf)) {
      ensureOpen();
      int i = 0;
      while (i < all.size()) {
        segStart = i;
        buf.reset();
        long seq = nextSeq;
        String prevHash = prev;
        for (; i < all.size(); i++) {
          Instant now = clock.instant();
          LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
          // only forward: a clock stepping back over midnight keeps writing today's file
          if (day.isAfter(currentDay)) {
            if (i > segStart) {
              break;
            }
            rotate(day);
          }
          Pending p = all.get(i);
          int start = buf.size();
          int tsLength = timestamps.format(now);
          AuditRecords.writeCanonical(
              gen, p.names, p.values, nodeId, prevHash, seq, timestamps.chars(), tsLength, p.type);
          String hash = AuditRecords.hash(sha, buf.array(), start, buf.size() - start);
          lineStarts[i] = start;
          AuditRecords.closeLine(buf, hash);
          receipts[i] = new AuditReceipt(seq, hash);
          prevHash = hash;
          seq++;
        }
        lineStarts[i] = buf.size();
        int n = i - segStart;
        writeFully(ByteBuffer.wrap(buf.array(), 0, buf.size()), goodSize);
        hooks.afterWrite(n);
        channel.force(false);
        lastCommitNanos = System.nanoTime();
        hooks.afterForce(n);
        goodSize += buf.size();
        nextSeq = seq;
        prev = prevHash;
        complete(all, segStart, i, receipts);
        mirror(segStart, i, lineStarts);
      }
      internal.clear();
      return true;
    } catch (IOException | RuntimeException e) {
      // the chain stays where the last durable segment left it; cut whatever part of this one
      // reached the file, so no half line or unchained record sits before the next write
      cutBackQuietly();
      internal.subList(0, Math.min(segStart, internalCount)).clear();
      goDown(e);
      int lost = 0;
      for (int k = Math.max(segStart, internalCount); k < all.size(); k++) {
        if (all.get(k).promise == null) {
          lost++;
        }
      }
      if (!sync && lost > 0) {
        log.error("{} audit records acknowledged in async durability were lost: {}", lost, problem);
      }
      fail(all, segStart, all.size(), new AuditUnavailable("audit log unavailable: " + problem));
      return false;
    }
  }

  private void ensureOpen() throws IOException {
    if (!chainKnown) {
      recover();
    }
    if (channel == null) {
      if (currentDay == null) {
        currentDay = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
      }
      openCurrent();
    }
  }

  /** Finds where the chain stands on disk: the last complete record of the newest file. */
  private void recover() throws IOException {
    Files.createDirectories(dir);
    List<AuditFiles.Named> files = AuditFiles.list(dir, nodeId);
    long lastSeq = 0;
    String lastHash = AuditRecords.GENESIS;
    LocalDate day = null;
    long size = 0;
    for (int k = files.size() - 1; k >= 0; k--) {
      AuditFiles.Named f = files.get(k);
      AuditFiles.Tail t = AuditFiles.repairTail(f.path(), sha);
      if (t.truncated() > 0) {
        log.warn(
            "{}: cut {} bytes of a torn last line (a write the process did not finish); the chain"
                + " continues from the last complete record",
            f.path(),
            t.truncated());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", f.path().getFileName().toString());
        r.put("bytes", t.truncated());
        internal.add(Pending.internal(AuditTypes.AUDIT_REPAIRED, r));
      }
      if (day == null) {
        day = f.day();
        size = t.size();
      }
      if (t.lastSeq() > 0) {
        lastSeq = t.lastSeq();
        lastHash = t.lastHash();
        break;
      }
    }
    nextSeq = lastSeq + 1;
    prev = lastHash;
    currentDay = day;
    goodSize = size;
    chainKnown = true;
  }

  private void rotate(LocalDate day) throws IOException {
    closeChannel();
    currentDay = day;
    goodSize = 0;
    openCurrent();
  }

  private void openCurrent() throws IOException {
    Path file = dir.resolve(AuditFiles.fileName(nodeId, currentDay));
    boolean existed = Files.exists(file);
    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    if (!existed) {
      syncDirectory();
    }
    long size = channel.size();
    if (size > goodSize) {
      log.warn(
          "{}: cutting {} bytes a failed write left after the last complete record",
          file,
          size - goodSize);
      channel.truncate(goodSize);
      channel.force(false);
    } else if (size < goodSize) {
      log.error(
          "{} is {} bytes shorter than what this node wrote to it: records were removed outside"
              + " Airlock; appending after what is left (airlock audit verify will show the gap)",
          file,
          goodSize - size);
      goodSize = size;
    }
  }

  // a new file's name is only durable once its directory is
  private void syncDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  private void writeFully(ByteBuffer b, long at) throws IOException {
    long pos = at;
    while (b.hasRemaining()) {
      pos += channel.write(b, pos);
    }
  }

  private void cutBackQuietly() {
    if (channel != null) {
      try {
        channel.truncate(goodSize);
        channel.force(false);
      } catch (IOException | RuntimeException e) {
        // reopening truncates to goodSize again before anything else is written
      }
    }
    closeChannel();
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        log.debug("closing audit file", e);
      }
      channel = null;
    }
  }

  private void goDown(Throwable e) {
    String why = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (up || problem == null) {
      downSince = clock.instant();
      refusedWhileDown.reset();
      log.error("audit log in {} unavailable, refusing appends until it can write again", dir, e);
    } else if (!why.equals(problem)) {
      log.warn("audit log still unavailable: {}", why);
    }
    problem = why;
    up = false;
    nextProbeNanos = System.nanoTime() + retryNanos;
    closeChannel();
  }

  private void complete(List<Pending> all, int from, int to, AuditReceipt[] receipts) {
    Map<Context, List<Runnable>> byContext = null;
    for (int k = from; k < to; k++) {
      Pending p = all.get(k);
      if (p.promise == null) {
        continue;
      }
      AuditReceipt r = receipts[k];
      if (p.context == null) {
        p.promise.complete(r);
      } else {
        if (byContext == null) {
          byContext = new IdentityHashMap<>();
        }
        byContext.computeIfAbsent(p.context, c -> new ArrayList<>()).add(() -> p.promise.complete(r));
      }
    }
    runOnContexts(byContext);
  }

  private void fail(List<Pending> all, int from, int to, AuditUnavailable cause) {
    Map<Context, List<Runnable>> byContext = null;
    for (int k = from; k < to; k++) {
      Pending p = all.get(k);
      if (p.promise == null) {
        continue;
      }
      if (p.context == null) {
        p.promise.tryFail(cause);
      } else {
        if (byContext == null) {
          byContext = new IdentityHashMap<>();
        }
        byContext.computeIfAbsent(p.context, c -> new ArrayList<>()).add(() -> p.promise.tryFail(cause));
      }
    }
    runOnContexts(byContext);
  }

  // one hop per event loop per batch, not one per record
  private static void runOnContexts(Map<Context, List<Runnable>> byContext) {
    if (byContext != null) {
      byContext.forEach((ctx, tasks) -> ctx.runOnContext(v -> tasks.forEach(Runnable::run)));
    }
  }

  private void mirror(int from, int to, int[] lineStarts) {
    if (mirror == AuditMirror.NONE) {
      return;
    }
    int base = lineStarts[from];
    for (int k = from; k < to; k++) {
      int start = lineStarts[k] - base;
      int len = lineStarts[k + 1] - lineStarts[k] - 1;
      try {
        mirror.mirror(new String(buf.array(), start, len, StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        log.warn("audit mirror failed (the record is on disk)", e);
      }
    }
  }

  private static AuditUnavailable closed() {
    return new AuditUnavailable("audit log is closed");
  }
}
