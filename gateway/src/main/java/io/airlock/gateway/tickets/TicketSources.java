package io.airlock.gateway.tickets;

import io.airlock.gateway.config.ConfigException;
import io.airlock.gateway.config.TicketsFileBinder;
import io.airlock.policy.config.TicketsConfig;
import io.airlock.policy.port.TicketSource;
import io.airlock.policy.request.Ticket;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The ticket source {@code tickets.mode} asks for; none when tickets are not checked. */
public final class TicketSources {
  private TicketSources() {}

  /**
   * Opens the configured source (reads the file in {@code file} mode: start-up only).
   *
   * @throws ConfigException when the tickets file is missing or invalid
   */
  public static Optional<TicketSource> open(Vertx vertx, TicketsConfig config) throws ConfigException {
    switch (config.mode()) {
      case FILE:
        Map<String, Ticket> tickets = TicketsFileBinder.load(config.file().orElseThrow());
        return Optional.of(id -> CompletableFuture.completedFuture(Optional.ofNullable(tickets.get(id))));
      case HTTP:
        return Optional.of(new HttpTicketSource(vertx, config.http().orElseThrow()));
      case NONE:
      default:
        return Optional.empty();
    }
  }
}
