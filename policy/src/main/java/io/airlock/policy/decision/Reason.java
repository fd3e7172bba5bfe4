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
  OUT_OF_SCOPE,
  QUOTA_EXCEEDED,
  AUDIT_UNAVAILABLE,
  BACKEND_UNAVAILABLE,
  UNMASKABLE_RESPONSE,
  INTERNAL_ERROR;

  private final String code = name().toLowerCase(Locale.ROOT);

  /** The stable wire code, e.g. {@code grant_expired}. */
  public String code() {
    return code;
  }
}
