package io.airlock.gateway.store;

import io.airlock.policy.request.AccessRequest;
import java.util.Comparator;

/** The orders the store port promises, shared so both stores sort identically. */
public final class StoreOrder {
  private StoreOrder() {}

  /** By creation time, then id, so requests created in the same instant keep a stable order. */
  public static final Comparator<AccessRequest> OLDEST_FIRST =
      Comparator.comparing(AccessRequest::createdAt).thenComparing(AccessRequest::id);

  public static final Comparator<AccessRequest> NEWEST_FIRST = OLDEST_FIRST.reversed();

  /** Approved requests only: by grant expiry, then id. */
  public static final Comparator<AccessRequest> SOONEST_EXPIRY_FIRST =
      Comparator.<AccessRequest, java.time.Instant>comparing(r -> r.grant().orElseThrow().expiresAt())
          .thenComparing(AccessRequest::id);
}
