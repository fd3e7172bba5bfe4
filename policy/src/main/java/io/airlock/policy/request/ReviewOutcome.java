package io.airlock.policy.request;

import java.util.Objects;

/**
 * What an accepted review does to a request.
 *
 * <p>The final approval cannot produce a storable request by itself: an approved request always
 * carries its grant, and only the gateway can sign one. So that case is {@link Issue}: the caller
 * signs {@link Issue#terms()} (possibly off the event loop, hence no callback here) and turns the
 * result into the approved request with {@link ApprovalRules#withGrant}. Nothing in {@code Issue}
 * can be written back by mistake: {@code current} is the request as read, one version short.
 */
public sealed interface ReviewOutcome {

  /** The request to store: still pending with one more approval, or denied. */
  record Recorded(AccessRequest request) implements ReviewOutcome {
    public Recorded {
      Objects.requireNonNull(request, "request");
    }
  }

  /**
   * This approval completes the request: sign {@code terms}, then store {@code
   * ApprovalRules.withGrant(this, signed)}. If that write loses a compare-and-swap, discard the
   * signed grant (it was never handed out) and start over from a fresh read.
   */
  record Issue(AccessRequest current, Review finalReview, GrantTerms terms) implements ReviewOutcome {
    public Issue {
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(finalReview, "finalReview");
      Objects.requireNonNull(terms, "terms");
    }
  }
}
