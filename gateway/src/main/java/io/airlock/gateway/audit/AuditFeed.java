package io.airlock.gateway.audit;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The live view of the audit trail for the UI and {@code GET /api/audit}: the newest durable
 * records of every node (Redis stream) or of this node (in-process ring). The files on disk stay
 * the record of truth; this is a window onto them.
 */
public interface AuditFeed extends AuditMirror {
  /** Newest first, at most {@code limit}, filtered by the caller. */
  CompletionStage<List<JsonObject>> recent(int limit, java.util.function.Predicate<JsonObject> filter);
}
