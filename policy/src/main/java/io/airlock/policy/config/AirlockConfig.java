package io.airlock.policy.config;

import io.airlock.policy.mask.MaskingProfile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole validated configuration of one node: airlock.yaml, routes.yaml, masking.yaml and
 * policy.yaml. Built once at start-up by the gateway's ConfigLoader, which reports every error
 * at once; nothing here is ever empty where emptiness would weaken security.
 */
public record AirlockConfig(
    Path configDir,
    NodeConfig node,
    DataPlaneConfig dataPlane,
    ListenerConfig controlPlane,
    GrantsConfig grants,
    RevocationConfig revocation,
    IdentityConfig identity,
    AccessLogConfig accessLog,
    List<Route> routes,
    Map<String, MaskingProfile> maskingProfiles,
    PolicyConfig policy,
    AuditConfig audit,
    java.util.Optional<RedisConfig> redis,
    SecretsConfig secrets,
    TicketsConfig tickets,
    ShutdownConfig shutdown) {

  public AirlockConfig {
    Objects.requireNonNull(configDir, "configDir");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(dataPlane, "dataPlane");
    Objects.requireNonNull(controlPlane, "controlPlane");
    Objects.requireNonNull(grants, "grants");
    Objects.requireNonNull(revocation, "revocation");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(accessLog, "accessLog");
    routes = List.copyOf(routes);
    maskingProfiles = Map.copyOf(maskingProfiles);
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(tickets, "tickets");
    Objects.requireNonNull(shutdown, "shutdown");
  }

  /** Without secrets, tickets or shutdown sections: keys generated in {@code keys/} beside it, tickets unchecked, default drain. */
  public AirlockConfig(
      Path configDir,
      NodeConfig node,
      DataPlaneConfig dataPlane,
      ListenerConfig controlPlane,
      GrantsConfig grants,
      RevocationConfig revocation,
      IdentityConfig identity,
      AccessLogConfig accessLog,
      List<Route> routes,
      Map<String, MaskingProfile> maskingProfiles,
      PolicyConfig policy,
      AuditConfig audit,
      java.util.Optional<RedisConfig> redis) {
    this(configDir, node, dataPlane, controlPlane, grants, revocation, identity, accessLog, routes, maskingProfiles,
        policy, audit, redis, SecretsConfig.generatedIn(configDir.resolve("keys")), TicketsConfig.none(),
        ShutdownConfig.defaults());
  }

  public AirlockConfig withTickets(TicketsConfig t) {
    return new AirlockConfig(configDir, node, dataPlane, controlPlane, grants, revocation, identity, accessLog, routes,
        maskingProfiles, policy, audit, redis, secrets, t, shutdown);
  }

  public AirlockConfig withPolicy(PolicyConfig p) {
    return new AirlockConfig(configDir, node, dataPlane, controlPlane, grants, revocation, identity, accessLog, routes,
        maskingProfiles, p, audit, redis, secrets, tickets, shutdown);
  }

  public AirlockConfig withRedis(java.util.Optional<RedisConfig> r) {
    return new AirlockConfig(configDir, node, dataPlane, controlPlane, grants, revocation, identity, accessLog, routes,
        maskingProfiles, policy, audit, r, secrets, tickets, shutdown);
  }

  public AirlockConfig withNode(NodeConfig n) {
    return new AirlockConfig(configDir, n, dataPlane, controlPlane, grants, revocation, identity, accessLog, routes,
        maskingProfiles, policy, audit, redis, secrets, tickets, shutdown);
  }

  public AirlockConfig withAudit(AuditConfig a) {
    return new AirlockConfig(configDir, node, dataPlane, controlPlane, grants, revocation, identity, accessLog, routes,
        maskingProfiles, policy, a, redis, secrets, tickets, shutdown);
  }

  public AirlockConfig withGrants(GrantsConfig g) {
    return new AirlockConfig(configDir, node, dataPlane, controlPlane, g, revocation, identity, accessLog, routes,
        maskingProfiles, policy, audit, redis, secrets, tickets, shutdown);
  }

  public AirlockConfig withRevocation(RevocationConfig r) {
    return new AirlockConfig(configDir, node, dataPlane, controlPlane, grants, r, identity, accessLog, routes,
        maskingProfiles, policy, audit, redis, secrets, tickets, shutdown);
  }

  public AirlockConfig withIdentity(IdentityConfig i) {
    return new AirlockConfig(configDir, node, dataPlane, controlPlane, grants, revocation, i, accessLog, routes,
        maskingProfiles, policy, audit, redis, secrets, tickets, shutdown);
  }

  public AirlockConfig withMaskingProfiles(Map<String, MaskingProfile> m) {
    return new AirlockConfig(configDir, node, dataPlane, controlPlane, grants, revocation, identity, accessLog, routes,
        m, policy, audit, redis, secrets, tickets, shutdown);
  }

  /** Other listeners and routes (TLS tests). */
  public AirlockConfig withListeners(DataPlaneConfig dp, ListenerConfig cp, List<Route> r) {
    return new AirlockConfig(configDir, node, dp, cp, grants, revocation, identity, accessLog, r,
        maskingProfiles, policy, audit, redis, secrets, tickets, shutdown);
  }
}
