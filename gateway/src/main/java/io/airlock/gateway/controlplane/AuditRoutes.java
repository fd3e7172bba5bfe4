package io.airlock.gateway.controlplane;

import io.airlock.gateway.audit.AuditFeed;
import io.airlock.gateway.audit.AuditSearches;
import io.airlock.policy.staff.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * {@code GET /api/audit?agent=&client=&type=&since=&limit=} (security): the newest audit records.
 * {@code type} is a comma-separated list of record types ({@code denied}) or type prefixes ending
 * in {@code *} ({@code request.*}, {@code lockdown*}).
 *
 * <p>The body is the JSON array of records, newest first. When the feed stopped searching before
 * it could say that nothing older matches ({@link AuditFeed#SCAN_CAP}), the answer carries
 * {@value #PARTIAL_HEADER}{@code : scanned N records back to <ts>}: the records are right, but
 * there may be more.
 *
 * <p>A node runs at most {@link AuditSearches#IN_FLIGHT} searches at once; one more is refused
 * with 429 {@value #BUSY} (and {@code Retry-After: 1}) rather than queued.
 */
public final class AuditRoutes {
  public static final String PARTIAL_HEADER = "X-Airlock-Audit-Partial";
  public static final String BUSY = "audit_search_busy";
  private final Vertx vertx;
  private final AuditFeed feed;

  public AuditRoutes(Vertx vertx, AuditFeed feed) {
    this.vertx = vertx;
    this.feed = feed;
  }

  public void mount(Router router) {
    router
        .get("/api/audit")
        .handler(
            ctx -> {
              Future<AuditFeed.Answer> f;
              try {
                StaffContext.require(ctx, Role.SECURITY);
                String agent = ctx.queryParams().get("agent");
                String client = ctx.queryParams().get("client");
                String typeParam = ctx.queryParams().get("type");
                Predicate<String> type = parseType(typeParam);
                Instant since = parseSince(ctx.queryParams().get("since"));
                int limit = parseLimit(ctx.queryParams().get("limit"));
                Predicate<JsonObject> filter =
                    r ->
                        (agent == null || agent.equals(r.getString("agent")) || agent.equals(r.getString("actor")))
                            && (client == null || client.equals(r.getString("client")) || containsClient(r, client))
                            && type.test(r.getString("type", ""));
                f =
                    Future.fromCompletionStage(
                            feed.recent(new AuditFeed.Query(limit, filter, Optional.ofNullable(since),
                                mayMatch(typeParam, agent, client))),
                            vertx.getOrCreateContext())
                        .recover(err -> Future.failedFuture(refusal(err)));
              } catch (RuntimeException e) {
                f = Future.failedFuture(e);
              }
              f.onSuccess(
                      a -> {
                        if (!a.complete()) {
                          ctx.response().putHeader(PARTIAL_HEADER, "scanned " + a.scanned() + " records back to "
                              + a.searchedBackTo().orElse("an unknown time"));
                        }
                        ctx.response().putHeader("Content-Type", "application/json").end(new JsonArray(a.records()).encode());
                      })
                  .onFailure(
                      err -> {
                        if (err instanceof ApiError e && e.status() == 429) {
                          ctx.response().putHeader("Retry-After", "1");
                        }
                        ApiError.render(ctx, err);
                      });
            });
  }

  private static Throwable refusal(Throwable err) {
    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (cause instanceof AuditSearches.Busy busy) {
      return new ApiError(429, BUSY, busy.getMessage());
    }
    return KillSwitchRoutes.unavailable("audit read", cause);
  }

  /** Text the JSON encoder writes unescaped, so a record holding the value has it verbatim in its raw form. */
  private static final Pattern VERBATIM = Pattern.compile("[A-Za-z0-9_.:@-]+");

  /**
   * The raw-text shortcut for {@link AuditFeed.Query#mayMatch}: a record whose type, agent or
   * client equals a wanted value contains that value's characters verbatim. Values that JSON
   * would escape are left to the parsed filter.
   */
  private static Predicate<String> mayMatch(String typeParam, String agent, String client) {
    List<String> literals = new ArrayList<>();
    if (agent != null && VERBATIM.matcher(agent).matches()) {
      literals.add(agent);
    }
    if (client != null && VERBATIM.matcher(client).matches()) {
      literals.add(client);
    }
    Predicate<String> all = raw -> literals.stream().allMatch(raw::contains);
    if (typeParam == null || typeParam.isBlank()) {
      return all;
    }
    // parseType has already refused anything but [a-z_.] names, optionally ending in *
    List<String> types = new ArrayList<>();
    for (String entry : typeParam.split(",", -1)) {
      String e = entry.trim();
      types.add(e.endsWith("*") ? e.substring(0, e.length() - 1) : e);
    }
    return all.and(raw -> types.stream().anyMatch(raw::contains));
  }

  private static boolean containsClient(JsonObject r, String client) {
    Object cs = r.getValue("clients");
    return cs instanceof JsonArray a && a.contains(client);
  }

  private static final Pattern TYPE = Pattern.compile("[a-z][a-z_.]{0,63}\\*?");

  private static Predicate<String> parseType(String s) {
    if (s == null || s.isBlank()) {
      return t -> true;
    }
    Predicate<String> any = t -> false;
    for (String entry : s.split(",", -1)) {
      String e = entry.trim();
      if (!TYPE.matcher(e).matches()) {
        throw ApiError.badRequest(
            "type", "must be record types or prefixes ending in * separated by commas, like denied,request.*");
      }
      Predicate<String> one =
          e.endsWith("*") ? t -> t.startsWith(e.substring(0, e.length() - 1)) : e::equals;
      any = any.or(one);
    }
    return any;
  }

  private static Instant parseSince(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("since", "must be an ISO-8601 instant like 2026-11-26T09:00:00Z");
    }
  }

  private static int parseLimit(String s) {
    if (s == null) {
      return 100;
    }
    try {
      int n = Integer.parseInt(s);
      if (n < 1 || n > 1000) {
        throw ApiError.badRequest("limit", "must be 1..1000");
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("limit", "must be an integer 1..1000");
    }
  }
}
