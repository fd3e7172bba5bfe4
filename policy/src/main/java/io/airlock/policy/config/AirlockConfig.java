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
    Objects.requireNonNull(shutdown, "shutdown");
  }

  /** Without a {@code shutdown} section: the defaults. */
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
        policy, audit, redis, ShutdownConfig.defaults());
  }
}
