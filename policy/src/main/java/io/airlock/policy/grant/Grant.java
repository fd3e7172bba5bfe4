package io.airlock.policy.grant;

import io.airlock.policy.mask.FieldClass;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The verified claims of a grant (DESIGN.md "Grant"). Identity is {@code jti}: the same grant
 * may have several valid token spellings, so nothing keys on the token string.
 */
public record Grant(
    String jti,
    String issuer,
    String agent,
    String ticket,
    Set<String> clients,
    Set<Action> actions,
    Set<FieldClass> unmask,
    String requestId,
    List<String> approvers,
    long epoch,
    Instant issuedAt,
    Instant notBefore,
    Instant expiresAt) {

  public Grant {
    Objects.requireNonNull(jti, "jti");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(ticket, "ticket");
    clients = Set.copyOf(clients);
    actions = Set.copyOf(actions);
    unmask = Set.copyOf(unmask);
    approvers = List.copyOf(approvers);
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (unmask.contains(FieldClass.SECRET)) {
      throw new IllegalArgumentException("a grant can never unmask the secret class");
    }
  }
}
