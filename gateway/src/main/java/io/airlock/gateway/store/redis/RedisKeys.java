package io.airlock.gateway.store.redis;

import java.util.Objects;

/**
 * Every Redis key and channel Airlock's store uses, in one place. All names start with the
 * configured prefix ({@code airlock:} by default). Braces mark the Redis Cluster hash tag: only
 * the part inside them picks the slot, so keys that must one day change together can share it.
 *
 * <pre>
 * key                          type    content                                  life
 * {prefix}req:{&lt;id&gt;}            hash    json = AccessRequestJson, version = n    kept
 * {prefix}req:pending          zset    request id, score = createdAt (ms)       member removed once decided
 * {prefix}req:recent           zset    request id, score = createdAt (ms)       kept
 * {prefix}req:by:{&lt;agent&gt;}      zset    request id, score = createdAt (ms)       kept
 * {prefix}grants:active        zset    jti, score = grant expiry (ms)           members pruned after expiry
 * {prefix}grant:{&lt;jti&gt;}         hash    req = request id, exp = expiry (ms)      TTL: exp + leeway + clock margin
 * {prefix}quota:{&lt;agent&gt;}        zset    client read, score = last read (ms)      TTL 25 h, entries pruned after 24 h
 * {prefix}quota:requested:{&lt;agent&gt;}  zset  client named in a request, same scores   TTL 25 h, entries pruned after 24 h
 * {prefix}events               channel StoreEvent as JSON {"type","attributes"}
 * {prefix}sso:pending:{&lt;state&gt;}   string  sign-in awaiting the identity provider   TTL 10 min; GETDEL by the callback
 * {prefix}sso:handoff:{&lt;id&gt;}    string  sign-in outcome (may hold an ID token)   TTL 1 min; GETDEL when the UI collects it
 * {prefix}{rev}:init           string  "1" once the deployment holds state      kept (gone = Redis lost its data)
 * {prefix}{rev}:version        string  INCR on every revocation change          kept
 * {prefix}{rev}:epoch          string  global revocation epoch                  kept
 * {prefix}{rev}:revoked        zset    jti, score = grant expiry (ms)           pruned at exp + leeway + clock margin
 * {prefix}{rev}:suspended      set     agent ids                                until resumed
 * {prefix}{rev}:lockdown       string  "1" while in lockdown                    until lifted
 * {prefix}{rev}:nodes          hash    node id = "ackedEpoch|lastSeenMillis"    long-dead fields removed lazily
 * {prefix}{rev}:changes        channel RevocationStore.Change as JSON {"kind","value","version"}
 * </pre>
 *
 * <p>Why this is sound on Cluster: the request record and its version are one hash, so
 * compare-and-swap is a single-key script, atomic on any topology. The zsets and {@code grant:}
 * keys are indexes in other slots, so they cannot change in the same step. They are kept a
 * superset of the truth: entries are <em>added before</em> the record write that makes them true
 * and <em>removed after</em> the write that makes them false, and every read loads the records
 * and filters by their real state. A crash between the two steps leaves an extra entry (skipped
 * by readers, pruned lazily), never a missing one, and never shows a request in a state it is
 * not in.
 */
public final class RedisKeys {
  private final String prefix;

  public RedisKeys(String prefix) {
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException("key prefix must not contain braces: " + prefix);
    }
  }

  public String prefix() {
    return prefix;
  }

  /** Hash: {@code json}, {@code version}. The only key the compare-and-swap touches. */
  public String request(String id) {
    return prefix + "req:{" + id + "}";
  }

  public String pending() {
    return prefix + "req:pending";
  }

  public String recent() {
    return prefix + "req:recent";
  }

  public String byRequester(String agent) {
    return prefix + "req:by:{" + agent + "}";
  }

  public String activeGrants() {
    return prefix + "grants:active";
  }

  /** Hash: {@code req}, {@code exp}; expires once the grant can no longer be revoked (exp + leeway + margin). */
  public String grant(String jti) {
    return prefix + "grant:{" + jti + "}";
  }

  /**
   * Sorted set of the clients {@code agent} read, scored by time: both quota windows are counted
   * from it by one single-key script. (DESIGN.md's {@code quota:{agent}:{window}} would be one set
   * per window, which cannot be checked and updated together atomically on Cluster.)
   */
  public String quotaReads(String agent) {
    return prefix + "quota:{" + agent + "}";
  }

  /** Like {@link #quotaReads}, for clients named in access requests. */
  public String quotaRequested(String agent) {
    return prefix + "quota:requested:{" + agent + "}";
  }

  /**
   * String: a browser sign-in between login and callback (PKCE verifier, nonce, browser binding
   * digest), found by its OAuth {@code state}.
   */
  public String pendingSignIn(String state) {
    return prefix + "sso:pending:{" + state + "}";
  }

  /**
   * String: how a browser sign-in ended, until the UI collects it; a successful one holds the
   * verified ID token, a credential, which is why its TTL is one minute.
   */
  public String signInHandoff(String id) {
    return prefix + "sso:handoff:{" + id + "}";
  }

  public String eventsChannel() {
    return prefix + "events";
  }

  // Revocation keys all carry the hash tag {rev}: one slot, so every revocation script is
  // single-slot on Cluster, and a master that loses its data loses all of them together (never a
  // half-empty state that still looks initialised).
  private String rev(String name) {
    return prefix + "{rev}:" + name;
  }

  public String revocationInit() {
    return rev("init");
  }

  public String revocationVersion() {
    return rev("version");
  }

  public String epoch() {
    return rev("epoch");
  }

  public String revoked() {
    return rev("revoked");
  }

  public String suspended() {
    return rev("suspended");
  }

  public String lockdown() {
    return rev("lockdown");
  }

  public String nodes() {
    return rev("nodes");
  }

  public String revocationChanges() {
    return rev("changes");
  }

  // field names; the Lua scripts in RedisAccessRequestStore spell them too
  static final String F_JSON = "json";
  static final String F_REQUEST = "req";
}
