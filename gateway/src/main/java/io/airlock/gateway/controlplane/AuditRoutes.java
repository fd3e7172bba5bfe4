package io.airlock.gateway.controlplane;

import io.airlock.gateway.audit.AuditFeed;
import io.airlock.policy.staff.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
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
 */
public final class AuditRoutes {
  public static final String PARTIAL_HEADER = "X-Airlock-Audit-Partial";
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
                Predicate<String> type = parseType(ctx.queryParams().get("type"));
                Instant since = parseSince(ctx.queryParams().get("since"));
                int limit = parseLimit(ctx.queryParams().get("limit"));
                Predicate<JsonObject> filter =
                    r ->
                        (agent == null || agent.equals(r.getString("agent")) || agent.equals(r.getString("actor")))
                            && (client == null || client.equals(r.getString("client")) || containsClient(r, client))
                            && type.test(r.getString("type", ""));
                f =
                    Future.fromCompletionStage(
                            feed.recent(new AuditFeed.Query(limit, filter, Optional.ofNullable(since))),
                            vertx.getOrCreateContext())
                        .recover(err -> Future.failedFuture(KillSwitchRoutes.unavailable("audit read", err)));
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
                  .onFailure(err -> ApiError.render(ctx, err));
            });
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
