package io.airlock.policy.config;

/**
 * {@code quotas.*} in policy.yaml: how many distinct clients one agent may touch. Counted per
 * agent across every node, exactly (DESIGN.md data-plane step 7).
 *
 * @param clientsPerHour distinct clients read through the data plane in a rolling hour
 * @param clientsPerDay distinct clients read in a rolling 24 hours
 * @param requestedClientsPerDay distinct clients named in access requests in a rolling 24 hours
 */
public record QuotaPolicy(int clientsPerHour, int clientsPerDay, int requestedClientsPerDay) {
  public QuotaPolicy {
    if (clientsPerHour < 1 || clientsPerDay < 1 || requestedClientsPerDay < 1) {
      throw new IllegalArgumentException("every quota must be at least 1");
    }
    if (clientsPerHour > clientsPerDay) {
      throw new IllegalArgumentException("clientsPerHour is more than clientsPerDay");
    }
  }

  public static QuotaPolicy defaults() {
    return new QuotaPolicy(20, 60, 60);
  }
}
