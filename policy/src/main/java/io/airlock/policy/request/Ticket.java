package io.airlock.policy.request;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A ticket as the ticketing system describes it: what an access request must match.
 *
 * @param status e.g. {@code open}; compared case-insensitively
 * @param assignee the staff id the ticket is assigned to
 * @param clients client ids the ticket is about
 */
public record Ticket(String id, String status, String assignee, Set<String> clients) {
  public Ticket {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(assignee, "assignee");
    clients = Set.copyOf(clients);
  }

  /**
   * Why an access request by {@code agent} for {@code requested} does not fit this ticket, or
   * empty when it does: the ticket is open, assigned to the agent, and names every client.
   */
  public Optional<String> mismatch(String agent, List<String> requested) {
    if (!status.toLowerCase(Locale.ROOT).equals("open")) {
      return Optional.of("ticket " + id + " is " + status + ", not open");
    }
    if (!assignee.toLowerCase(Locale.ROOT).equals(agent.toLowerCase(Locale.ROOT))) {
      // the assignee is not disclosed: the requester only learns it is not them
      return Optional.of("ticket " + id + " is not assigned to " + agent);
    }
    List<String> missing = requested.stream().filter(c -> !clients.contains(c)).toList();
    if (!missing.isEmpty()) {
      return Optional.of("ticket " + id + " does not name client(s) " + String.join(", ", missing));
    }
    return Optional.empty();
  }
}
