package io.airlock.gateway.audit;

/**
 * The audit log cannot take a record now: the disk failed or is full, the directory is not
 * writable, the queue is full, or the log is closed. Whatever needed the record must not
 * happen (the data plane answers 503 {@code audit_unavailable}). The log recovers by itself
 * once the disk does; {@link AuditLog#healthy()} says when.
 */
public final class AuditUnavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AuditUnavailable(String message) {
    // an expected refusal under load or outage: a stack trace per request would only cost
    super(message, null, false, false);
  }
}
