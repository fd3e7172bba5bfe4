package io.airlock.policy.staff;

import java.util.Objects;
import java.util.Set;

/**
 * An authenticated staff member, as the identity provider (or demo users file) describes them.
 * {@code id} is already normalised by {@link StaffId#normalize}; comparisons of people use it.
 */
public record Staff(String id, Set<Role> roles, Set<String> teams) {
  public Staff {
    Objects.requireNonNull(id, "id");
    roles = Set.copyOf(roles);
    teams = Set.copyOf(teams);
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }

  public boolean sharesTeamWith(Set<String> others) {
    for (String t : teams) {
      if (others.contains(t)) {
        return true;
      }
    }
    return false;
  }
}
