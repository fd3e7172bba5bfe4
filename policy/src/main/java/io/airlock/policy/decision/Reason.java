package io.airlock.policy.decision;

import java.util.Locale;

/**
 * The one list of reasons a request is refused. The wire code (error body, audit records,
 * metrics tags) is the lower-case name; HTTP mapping lives in the gateway's ErrorResponder so
 * this stays transport-free. Add a reason here, never a free-form string elsewhere.
 */
public enum Reason {
  BAD_PATH,
  NO_ROUTE,
  METHOD_NOT_ALLOWED,
  UPGRADE_FORBIDDEN,
  BAD_REQUEST,
  BODY_TOO_LARGE,
  GRANT_MISSING,
  GRANT_INVALID,
  GRANT_EXPIRED,
  GRANT_REVOKED,
  AGENT_SUSPENDED,
  REVOCATION_STALE,
  TOO_MANY_INVALID_GRANTS,
  /** the agent already has the per-agent maximum of requests in flight (429) */
  TOO_MANY_IN_FLIGHT,
  OUT_OF_SCOPE,
  QUOTA_EXCEEDED,
  /** the shared quota store did not answer: refused, never uncounted (503) */
  QUOTA_UNAVAILABLE,
  AUDIT_UNAVAILABLE,
  BACKEND_UNAVAILABLE,
  UNMASKABLE_RESPONSE,
  // control plane: access requests (io.airlock.policy.request.RequestRejected); BAD_REQUEST above
  // is the malformed-field case there too
  /** the caller's role or the approval policy forbids this (403) */
  FORBIDDEN,
  /** no such request, or none the caller may see (404) */
  NOT_FOUND,
  /** the request is no longer pending, or this person already reviewed it (409) */
  CONFLICT,
  /** well-formed but asks for more than policy allows: duration over max, no clients (422) */
  POLICY_VIOLATION,
  INTERNAL_ERROR;

  private final String code = name().toLowerCase(Locale.ROOT);

  /** The stable wire code, e.g. {@code grant_expired}. */
  public String code() {
    return code;
  }
}
