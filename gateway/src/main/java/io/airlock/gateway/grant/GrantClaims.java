package io.airlock.gateway.grant;

import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a new grant says, before the signer adds iss, aud, jti and the times.
 *
 * @param requestId the access request the grant answers; {@code null} for developer grants
 *     minted by {@code airlock grant}, which then carry no {@code req} claim
 * @param ttl lifetime from issuance, more than zero and at most {@link #MAX_TTL}
 */
public record GrantClaims(
    String agent,
    String ticket,
    List<String> clients,
    Set<Action> actions,
    Set<FieldClass> unmask,
    String requestId,
    List<String> approvers,
    long epoch,
    Duration ttl) {

  /** DESIGN.md "Grant": policy max 60 min. The verifier enforces the same ceiling. */
  public static final Duration MAX_TTL = Duration.ofMinutes(60);

  public GrantClaims {
    requireText(agent, "agent");
    requireText(ticket, "ticket");
    clients = List.copyOf(clients);
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("clients must name at least one client");
    }
    clients.forEach(c -> requireText(c, "client id"));
    actions = Set.copyOf(actions);
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("actions must contain read and/or write");
    }
    unmask = Set.copyOf(unmask);
    if (unmask.contains(FieldClass.SECRET)) {
      throw new IllegalArgumentException("unmask can never contain secret");
    }
    approvers = List.copyOf(approvers);
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must not be negative");
    }
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("ttl must be more than 0 and at most " + MAX_TTL);
    }
  }

  private static void requireText(String s, String what) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
  }
}
