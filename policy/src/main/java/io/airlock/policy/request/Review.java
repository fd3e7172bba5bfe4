package io.airlock.policy.request;

import io.airlock.policy.staff.Role;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/** One decision by one reviewer: approve or deny, with their roles and teams at that moment. */
public record Review(String reviewer, Set<Role> roles, Set<String> teams, Verdict verdict, String comment, Instant at) {
  public enum Verdict {
    APPROVE,
    DENY
  }

  public Review {
    Objects.requireNonNull(reviewer, "reviewer");
    roles = Set.copyOf(roles);
    teams = Set.copyOf(teams);
    Objects.requireNonNull(verdict, "verdict");
    comment = comment == null ? "" : comment;
    Objects.requireNonNull(at, "at");
  }
}
