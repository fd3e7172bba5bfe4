package io.airlock.policy.config;

import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.staff.Role;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code requests.*} and {@code approvals.*} in policy.yaml: what an access request may ask for
 * and who must approve it. The loader reports every bad value with its key; the checks here only
 * guard against a value built in code that could never work, so they throw.
 *
 * @param ticketPattern a ticket id must match it whole
 * @param maxClients most client ids one request may name
 * @param clientPattern every client id must match it whole
 * @param reasonMinLength fewest characters (code points, after trimming) in a reason
 * @param reasonMaxLength most characters in a reason, and in a review comment
 * @param pendingTimeout a request nobody decided within this time expires
 */
public record RequestPolicy(
    String ticketPattern,
    int maxClients,
    String clientPattern,
    int reasonMinLength,
    int reasonMaxLength,
    Duration pendingTimeout,
    Approvals approvals) {

  public static final String DEFAULT_TICKET_PATTERN = "[A-Z][A-Z0-9]{1,9}-[0-9]{1,9}";
  public static final String DEFAULT_CLIENT_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

  public RequestPolicy {
    Pattern.compile(Objects.requireNonNull(ticketPattern, "ticketPattern"));
    Pattern.compile(Objects.requireNonNull(clientPattern, "clientPattern"));
    require(maxClients >= 1, "maxClients must be at least 1");
    require(
        reasonMinLength >= 1 && reasonMinLength <= reasonMaxLength,
        "reason length must satisfy 1 <= min <= max");
    Objects.requireNonNull(pendingTimeout, "pendingTimeout");
    require(!pendingTimeout.isNegative() && !pendingTimeout.isZero(), "pendingTimeout must be > 0");
    Objects.requireNonNull(approvals, "approvals");
  }

  public static RequestPolicy defaults() {
    return new RequestPolicy(
        DEFAULT_TICKET_PATTERN,
        10,
        DEFAULT_CLIENT_PATTERN,
        10,
        500,
        Duration.ofMinutes(30),
        Approvals.defaults());
  }

  /**
   * Who must approve.
   *
   * @param required distinct approvals a request needs
   * @param approverRoles roles that may approve or deny at all; never {@code agent}
   * @param sameTeam a manager decides only for requesters who share one of their teams (a
   *     security approver is exempt: security works across teams)
   * @param sensitiveClasses asking to unmask any of these needs at least one security approver
   * @param writeRequired distinct approvals a request that asks for {@code write} needs (the
   *     larger of this and {@code required} applies)
   * @param writeSecurityRequired a request that asks for {@code write} needs a security approver
   */
  public record Approvals(
      int required,
      Set<Role> approverRoles,
      boolean sameTeam,
      Set<FieldClass> sensitiveClasses,
      int writeRequired,
      boolean writeSecurityRequired) {

    public Approvals {
      require(required >= 1, "required must be at least 1");
      require(writeRequired >= 1, "writeRequired must be at least 1");
      approverRoles = Set.copyOf(approverRoles);
      sensitiveClasses = Set.copyOf(sensitiveClasses);
      require(!approverRoles.isEmpty(), "approverRoles may not be empty");
      // an agent approving another agent's access is exactly the collusion this gate prevents
      require(!approverRoles.contains(Role.AGENT), "agents never approve");
      require(
          !sensitiveClasses.contains(FieldClass.SECRET),
          "secret is never unmasked, so it cannot be a sensitive class");
      // a rule that demands a security approver nobody may be would leave requests unapprovable
      require(
          approverRoles.contains(Role.SECURITY) || (sensitiveClasses.isEmpty() && !writeSecurityRequired),
          "a security approver is required by sensitiveClasses or write, but security is not an approver role");
    }

    public static Approvals defaults() {
      return new Approvals(
          1,
          EnumSet.of(Role.MANAGER, Role.SECURITY),
          true,
          EnumSet.of(FieldClass.SSN, FieldClass.BANK, FieldClass.CARD, FieldClass.DOCUMENT),
          2,
          true);
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
