package io.airlock.policy.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code audit.*}: where the node's hash-chained audit log lives and how durable an append is
 * before the caller goes on.
 *
 * @param dir directory of {@code audit-<node>-<day>.jsonl} files (absolute, resolved against the
 *     config directory when written relative)
 * @param durability when an append counts as done
 * @param maxBatch most records written and fsync'd together (group commit)
 * @param queueCapacity records waiting for the writer before appends are refused
 * @param streamMaxLength approximate cap of the Redis stream that mirrors the log
 */
public record AuditConfig(
    Path dir, Durability durability, int maxBatch, int queueCapacity, long streamMaxLength) {

  public static final String DEFAULT_DIR = "var/audit";
  public static final int DEFAULT_MAX_BATCH = 512;
  public static final int DEFAULT_QUEUE_CAPACITY = 65_536;
  public static final long DEFAULT_STREAM_MAX_LENGTH = 100_000;

  public enum Durability {
    /** An append completes once its record is fsync'd: nothing acknowledged is ever lost. */
    SYNC,
    /**
     * An append completes once its record is queued: faster, but records queued or written and
     * not yet fsync'd are lost when the process or machine dies, and a disk failure after the
     * acknowledgement no longer stops the action the record describes.
     */
    ASYNC
  }

  public AuditConfig {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(durability, "durability");
    if (maxBatch < 1 || queueCapacity < 1 || streamMaxLength < 1) {
      throw new IllegalArgumentException("audit maxBatch, queueCapacity and streamMaxLength must be >= 1");
    }
  }

  /** Every default, with the directory resolved against {@code configDir}. */
  public static AuditConfig defaults(Path configDir) {
    return new AuditConfig(
        configDir.resolve(DEFAULT_DIR).normalize(),
        Durability.SYNC,
        DEFAULT_MAX_BATCH,
        DEFAULT_QUEUE_CAPACITY,
        DEFAULT_STREAM_MAX_LENGTH);
  }
}
