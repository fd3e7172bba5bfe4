package io.airlock.policy.port;

import java.util.Map;
import java.util.Objects;

/**
 * One notification: a type such as {@code request.created}, {@code request.decided},
 * {@code grant.revoked}, and string attributes (ids, never client data).
 */
public record StoreEvent(String type, Map<String, String> attributes) {
  public StoreEvent {
    Objects.requireNonNull(type, "type");
    attributes = Map.copyOf(attributes);
  }
}
