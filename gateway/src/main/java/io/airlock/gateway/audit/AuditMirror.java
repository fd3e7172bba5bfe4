package io.airlock.gateway.audit;

/**
 * Receives every record once it is durable on disk, e.g. to push it to the capped Redis
 * stream the UI reads. Called on the audit writer thread, in seq order: an implementation must
 * hand off and return (never block on the network), and its failures never affect the log.
 */
@FunctionalInterface
public interface AuditMirror {
  /** @param recordJson the record exactly as written, without the newline */
  void mirror(String recordJson);

  AuditMirror NONE = recordJson -> {};
}
