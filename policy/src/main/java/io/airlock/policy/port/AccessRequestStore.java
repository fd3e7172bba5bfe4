package io.airlock.policy.port;

import io.airlock.policy.request.AccessRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where access requests and the grants they produced live: in process (single node) or in
 * Redis (shared by every node). All methods are asynchronous and never block the caller.
 *
 * <p>Writes are compare-and-swap on {@link AccessRequest#version()}: a caller reads, applies a
 * rule from {@code ApprovalRules}, and writes only if nobody wrote in between; on {@code false}
 * it reads again and retries. That is how fifty concurrent approvals end in exactly the required
 * number and one grant.
 */
public interface AccessRequestStore {
  /** Stores a new request (version 0); fails if the id exists. */
  CompletionStage<Void> create(AccessRequest request);

  CompletionStage<Optional<AccessRequest>> get(String id);

  /**
   * Replaces {@code next.id()} with {@code next} if the stored version equals {@code
   * expectedVersion}; {@code next.version()} must be {@code expectedVersion + 1}. Keeps the
   * pending index and, when {@code next} is approved, the active-grant index up to date.
   */
  CompletionStage<Boolean> compareAndSet(long expectedVersion, AccessRequest next);

  /** Pending requests, oldest first. */
  CompletionStage<List<AccessRequest>> pending();

  /** The requests a given agent made, newest first, at most {@code limit}. */
  CompletionStage<List<AccessRequest>> byRequester(String requester, int limit);

  /** Recent requests in any state, newest first, at most {@code limit}. */
  CompletionStage<List<AccessRequest>> recent(int limit);

  /** Approved requests whose grant has not expired at {@code now}, soonest expiry first. */
  CompletionStage<List<AccessRequest>> activeGrants(Instant now);

  /**
   * The approved request that issued grant {@code jti}, while the grant can still be revoked: until
   * its exp plus the leeway and clock margin the store was built with ({@code
   * GrantsConfig.revocableAfterExpiry}), since a node accepts it until exp + leeway.
   */
  CompletionStage<Optional<AccessRequest>> byGrant(String jti);
}
