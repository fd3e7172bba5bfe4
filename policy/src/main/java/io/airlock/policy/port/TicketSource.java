package io.airlock.policy.port;

import io.airlock.policy.request.Ticket;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The ticketing system, as far as access requests need it. A failed stage means the system
 * could not be asked (the caller refuses: fail closed); an empty result means it does not know
 * the ticket.
 */
public interface TicketSource {
  CompletionStage<Optional<Ticket>> find(String ticketId);
}
