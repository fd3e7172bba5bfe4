package io.airlock.gateway.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.request.AccessRequest;
import io.airlock.policy.request.IssuedGrantRecord;
import io.airlock.policy.request.RequestState;
import io.airlock.policy.request.Review;
import io.airlock.policy.staff.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The stored form of an {@link AccessRequest}. Exact round trip: instants and durations as ISO-8601
 * text (nanoseconds kept), enums as their codes, sets sorted so equal records give equal bytes,
 * absent optionals as missing fields. {@code format} lets a later layout be told apart.
 *
 * <p>Reading is strict: a missing field or an unknown code fails with a message naming the field,
 * because a record the store cannot read exactly must not be acted on.
 */
public final class AccessRequestJson {
  private AccessRequestJson() {}

  static final int FORMAT = 1;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public static String write(AccessRequest r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("format", FORMAT);
    o.put("id", r.id());
    o.put("requester", r.requester());
    strings(o.putArray("requesterTeams"), r.requesterTeams());
    o.put("ticket", r.ticket());
    ArrayNode clients = o.putArray("clients");
    r.clients().forEach(clients::add);
    o.put("reason", r.reason());
    o.put("duration", r.duration().toString());
    codes(o.putArray("unmask"), r.unmask(), FieldClass::code);
    codes(o.putArray("actions"), r.actions(), Action::code);
    o.put("state", r.state().code());
    o.put("createdAt", r.createdAt().toString());
    o.put("pendingUntil", r.pendingUntil().toString());
    o.put("requiredApprovals", r.requiredApprovals());
    o.put("securityApprovalRequired", r.securityApprovalRequired());
    ArrayNode reviews = o.putArray("reviews");
    for (Review rv : r.reviews()) {
      ObjectNode x = reviews.addObject();
      x.put("reviewer", rv.reviewer());
      codes(x.putArray("roles"), rv.roles(), Role::code);
      strings(x.putArray("teams"), rv.teams());
      x.put("verdict", rv.verdict().name().toLowerCase(Locale.ROOT));
      x.put("comment", rv.comment());
      x.put("at", rv.at().toString());
    }
    r.decisionReason().ifPresent(d -> o.put("decisionReason", d));
    r.grant()
        .ifPresent(
            g -> {
              ObjectNode x = o.putObject("grant");
              x.put("jti", g.jti());
              x.put("token", g.token());
              x.put("issuedAt", g.issuedAt().toString());
              x.put("expiresAt", g.expiresAt().toString());
            });
    o.put("updatedAt", r.updatedAt().toString());
    o.put("version", r.version());
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise access request " + r.id(), e);
    }
  }

  /**
   * @throws IllegalArgumentException naming the field when the text is not a stored request
   */
  public static AccessRequest read(String json) {
    JsonNode o;
    try {
      o = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("stored access request is not JSON: " + e.getOriginalMessage());
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("stored access request is not a JSON object");
    }
    long format = number(o, "format");
    if (format != FORMAT) {
      throw new IllegalArgumentException("stored access request has unknown format " + format);
    }
    try {
      return new AccessRequest(
          text(o, "id"),
          text(o, "requester"),
          new LinkedHashSet<>(strings(o, "requesterTeams")),
          text(o, "ticket"),
          strings(o, "clients"),
          text(o, "reason"),
          Duration.parse(text(o, "duration")),
          codes(o, "unmask", FieldClass.class),
          codes(o, "actions", Action.class),
          code(text(o, "state"), "state", RequestState.class),
          instant(o, "createdAt"),
          instant(o, "pendingUntil"),
          (int) number(o, "requiredApprovals"),
          bool(o, "securityApprovalRequired"),
          reviews(o),
          o.has("decisionReason") ? Optional.of(text(o, "decisionReason")) : Optional.empty(),
          o.has("grant") ? Optional.of(grant(field(o, "grant"))) : Optional.empty(),
          instant(o, "updatedAt"),
          number(o, "version"));
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("stored access request has a bad time: " + e.getParsedString());
    }
  }

  private static List<Review> reviews(JsonNode o) {
    List<Review> out = new ArrayList<>();
    for (JsonNode x : array(o, "reviews")) {
      out.add(
          new Review(
              text(x, "reviewer"),
              codes(x, "roles", Role.class),
              new LinkedHashSet<>(strings(x, "teams")),
              code(text(x, "verdict"), "reviews.verdict", Review.Verdict.class),
              text(x, "comment"),
              instant(x, "at")));
    }
    return out;
  }

  private static IssuedGrantRecord grant(JsonNode x) {
    return new IssuedGrantRecord(
        text(x, "jti"), text(x, "token"), instant(x, "issuedAt"), instant(x, "expiresAt"));
  }

  private static void strings(ArrayNode a, Collection<String> values) {
    values.stream().sorted().forEach(a::add);
  }

  private static <E extends Enum<E>> void codes(ArrayNode a, Set<E> values, Function<E, String> code) {
    values.stream().map(code).sorted().forEach(a::add);
  }

  private static JsonNode field(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("stored access request lacks field '" + name + "'");
    }
    return v;
  }

  private static String text(JsonNode o, String name) {
    JsonNode v = field(o, name);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("stored access request field '" + name + "' is not text");
    }
    return v.textValue();
  }

  private static long number(JsonNode o, String name) {
    JsonNode v = field(o, name);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException("stored access request field '" + name + "' is not an integer");
    }
    return v.longValue();
  }

  private static boolean bool(JsonNode o, String name) {
    JsonNode v = field(o, name);
    if (!v.isBoolean()) {
      throw new IllegalArgumentException("stored access request field '" + name + "' is not a boolean");
    }
    return v.booleanValue();
  }

  private static Instant instant(JsonNode o, String name) {
    return Instant.parse(text(o, name));
  }

  private static JsonNode array(JsonNode o, String name) {
    JsonNode v = field(o, name);
    if (!v.isArray()) {
      throw new IllegalArgumentException("stored access request field '" + name + "' is not a list");
    }
    return v;
  }

  private static List<String> strings(JsonNode o, String name) {
    List<String> out = new ArrayList<>();
    for (JsonNode x : array(o, name)) {
      if (!x.isTextual()) {
        throw new IllegalArgumentException("stored access request field '" + name + "' holds a non-text item");
      }
      out.add(x.textValue());
    }
    return out;
  }

  private static <E extends Enum<E>> Set<E> codes(JsonNode o, String name, Class<E> type) {
    Set<E> out = EnumSet.noneOf(type);
    for (String c : strings(o, name)) {
      out.add(code(c, name, type));
    }
    return out;
  }

  private static <E extends Enum<E>> E code(String c, String name, Class<E> type) {
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(c)) {
        return e;
      }
    }
    throw new IllegalArgumentException("stored access request field '" + name + "' has unknown value '" + c + "'");
  }
}
