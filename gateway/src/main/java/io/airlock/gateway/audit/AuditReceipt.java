package io.airlock.gateway.audit;

/**
 * What an append got back.
 *
 * @param seq the record's sequence number, or 0 when the record was only queued
 * @param hash the record's hash, or empty when it was only queued
 */
public record AuditReceipt(long seq, String hash) {

  /**
   * The receipt of every append in {@code async} durability: the record is queued, not yet
   * numbered and not yet on disk.
   */
  public static final AuditReceipt QUEUED = new AuditReceipt(0, "");

  /** Whether the record was on disk (fsync'd) when this receipt was handed out. */
  public boolean durable() {
    return seq > 0;
  }
}
