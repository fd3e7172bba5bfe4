package io.airlock.gateway.audit;

/** Record types; the one list, so the UI and log readers can rely on the names. */
public final class AuditTypes {
  private AuditTypes() {}

  // data plane
  /** Written before a response byte is released (write-ahead). */
  public static final String ACCESS = "access";
  /** After the response: status, bytes, duration, whether it was cut. */
  public static final String COMPLETION = "completion";
  /** A refused data-plane request with its error code (rate-limited per agent). */
  public static final String DENIED = "denied";

  // control plane
  public static final String LOGIN = "login";
  /**
   * A browser sign-in in progress that signed nobody in: {error, remote, user when a verified
   * token named one}; never the code or a token. Rate-limited per address.
   */
  public static final String LOGIN_REFUSED = "login.refused";
  public static final String REQUEST_CREATED = "request.created";
  public static final String REQUEST_APPROVED = "request.approved";
  public static final String REQUEST_DENIED = "request.denied";
  public static final String REQUEST_EXPIRED = "request.expired";
  public static final String REQUEST_CANCELLED = "request.cancelled";
  public static final String GRANT_FETCHED = "grant.fetched";
  public static final String GRANT_REVOKED = "grant.revoked";
  public static final String AGENT_SUSPENDED = "agent.suspended";
  public static final String AGENT_RESUMED = "agent.resumed";
  public static final String KILL_ALL = "kill_all";
  public static final String LOCKDOWN = "lockdown";
  public static final String LOCKDOWN_LIFTED = "lockdown.lifted";
  public static final String CONFIG_LOADED = "config.loaded";
  /** A tripwire: quota exceeded, honey record requested or read, store came back empty. */
  public static final String SECURITY_ALERT = "security.alert";

  // written by the audit log itself
  /** A torn last line (process killed mid-write) was cut off at start-up: {file, bytes}. */
  public static final String AUDIT_REPAIRED = "audit.repaired";
  /** The log is writable again after an outage: {downSince, refused, cause}. */
  public static final String AUDIT_RESUMED = "audit.resumed";
}
