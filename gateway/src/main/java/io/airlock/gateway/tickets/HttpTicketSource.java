package io.airlock.gateway.tickets;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.airlock.policy.config.TicketsConfig;
import io.airlock.policy.port.TicketSource;
import io.airlock.policy.request.Ticket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The ticketing system over HTTP: {@code GET {baseUrl}/tickets/{id}} answering {@code {status,
 * assignee, clients[]}} (404: no such ticket). Answers are cached for {@code cacheTtl}; failures
 * are not, and anything but 200 or 404 in time counts as unreachable, so the caller refuses.
 */
final class HttpTicketSource implements TicketSource {
  static final int MAX_BODY_BYTES = 256 * 1024;

  private final HttpClient client;
  private final TicketsConfig.Http config;
  private final Cache<String, Optional<Ticket>> cache;

  HttpTicketSource(Vertx vertx, TicketsConfig.Http config) {
    this.config = config;
    int timeout = (int) config.timeout().toMillis();
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout(timeout).setIdleTimeout(timeout).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setSsl(config.baseUrl().getScheme().equalsIgnoreCase("https")));
    this.cache =
        config.cacheTtl().isZero() ? null : Caffeine.newBuilder().expireAfterWrite(config.cacheTtl()).maximumSize(10_000).build();
  }

  @Override
  public CompletionStage<Optional<Ticket>> find(String ticketId) {
    Optional<Ticket> cached = cache == null ? null : cache.getIfPresent(ticketId);
    if (cached != null) {
      return Future.succeededFuture(cached).toCompletionStage();
    }
    String url = config.baseUrl() + "/tickets/" + URLEncoder.encode(ticketId, StandardCharsets.UTF_8);
    return client
        .request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).putHeader("Accept", "application/json"))
        .compose(req -> req.send())
        .compose(
            resp -> {
              if (resp.statusCode() == 404) {
                return resp.end().map(v -> Optional.<Ticket>empty());
              }
              if (resp.statusCode() != 200) {
                return resp.end().transform(v -> Future.failedFuture("the ticketing system answered HTTP " + resp.statusCode()));
              }
              return resp.body().map(body -> {
                if (body.length() > MAX_BODY_BYTES) {
                  throw new IllegalStateException("the ticketing system's answer is over " + MAX_BODY_BYTES + " bytes");
                }
                return Optional.of(parse(ticketId, body.toJsonObject()));
              });
            })
        .timeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .onSuccess(t -> {
          if (cache != null) {
            cache.put(ticketId, t);
          }
        })
        .toCompletionStage();
  }

  private static Ticket parse(String id, JsonObject o) {
    String status = o.getString("status");
    String assignee = o.getString("assignee");
    JsonArray clients = o.getJsonArray("clients");
    if (status == null || assignee == null || clients == null) {
      throw new IllegalStateException("the ticketing system's answer lacks status, assignee or clients");
    }
    Set<String> c = new HashSet<>();
    for (Object x : clients) {
      if (!(x instanceof String s)) {
        throw new IllegalStateException("the ticketing system's clients are not all strings");
      }
      c.add(s);
    }
    return new Ticket(id, status, assignee, c);
  }
}
