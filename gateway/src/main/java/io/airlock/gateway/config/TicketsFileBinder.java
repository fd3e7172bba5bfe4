package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.request.Ticket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds the tickets file of {@code tickets.mode: file} (the demo's stand-in for a ticketing
 * system): {@code tickets: [{id, status, assignee, clients: [...]}]}, as strictly as the other
 * config files.
 */
public final class TicketsFileBinder {
  private TicketsFileBinder() {}

  /**
   * Reads the file (blocking: start-up only).
   *
   * @throws ConfigException every problem, or the file is missing
   */
  public static Map<String, Ticket> load(Path file) throws ConfigException {
    Problems problems = new Problems();
    String name = file.getFileName().toString();
    YamlFiles.Read read = YamlFiles.read(file.toAbsolutePath().getParent(), name, problems);
    Map<String, Ticket> tickets = Map.of();
    if (read.status() == YamlFiles.Status.MISSING) {
      problems.add(name, ConfigError.WHOLE_FILE, "missing: " + file + " (required by tickets.mode: file)");
    } else if (read.status() == YamlFiles.Status.OK) {
      tickets = bind(name, read.root(), problems);
    }
    if (problems.count() > 0) {
      throw new ConfigException(problems.all());
    }
    return tickets;
  }

  static Map<String, Ticket> bind(String file, JsonNode tree, Problems problems) {
    Section root = Section.of(problems, file, "", tree, "tickets");
    List<JsonNode> items = root.list("tickets", "at least one ticket {id, status, assignee, clients}");
    Map<String, Ticket> out = new LinkedHashMap<>();
    if (items == null) {
      return out;
    }
    for (int i = 0; i < items.size(); i++) {
      int before = problems.count();
      Section t = Section.of(problems, file, root.item("tickets", i), items.get(i), "id", "status", "assignee", "clients");
      String id = t.string("id", "the ticket id, e.g. SUP-1234");
      String status = t.string("status", "open, closed, ...");
      String assignee = t.string("assignee", "the staff id it is assigned to");
      List<JsonNode> clientNodes = t.list("clients", "the client ids the ticket is about");
      Set<String> clients = new LinkedHashSet<>();
      if (clientNodes != null) {
        for (int c = 0; c < clientNodes.size(); c++) {
          String v = t.text(t.item("clients", c), clientNodes.get(c));
          if (v != null && !clients.add(v)) {
            t.report(t.item("clients", c), "'" + v + "' listed twice");
          }
        }
      }
      if (id != null && out.containsKey(id)) {
        t.report(t.key("id"), "duplicate ticket '" + id + "'");
      }
      if (problems.count() == before) {
        out.put(id, new Ticket(id, status, assignee, clients));
      }
    }
    return out;
  }
}
