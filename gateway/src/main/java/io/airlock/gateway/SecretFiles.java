package io.airlock.gateway;

import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.config.SecretSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Files holding secrets (grant signing keys, attribution keys, the Redis password, TLS private
 * keys) must be readable by the service user alone: a key another local account can read lets it mint grants or impersonate the node.
 * Demo configurations are exempt (they generate their keys with 0600 anyway, and tests write
 * theirs with the default umask).
 */
final class SecretFiles {
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private SecretFiles() {}

  /** Every secret file with permissions wider than 0600, as {@code <file>: <key>: <problem>}. */
  static List<String> problems(AirlockConfig c) {
    List<String> out = new ArrayList<>();
    if (c.identity().mode() == IdentityConfig.Mode.DEMO) {
      return out;
    }
    List<GrantsConfig.KeyRef> keys = c.grants().keys();
    for (int i = 0; i < keys.size(); i++) {
      check(out, "grants.keys[" + i + "].file", keys.get(i).source());
    }
    check(out, "secrets.watermarkKeyFile", c.secrets().watermarkKey());
    check(out, "secrets.maskingKeyFile", c.secrets().maskingKey());
    c.redis().flatMap(r -> r.password()).ifPresent(p -> check(out, "redis.passwordFile", p));
    c.redis().flatMap(r -> r.tls()).flatMap(t -> t.keyFile()).ifPresent(f -> check(out, "airlock.yaml", "redis.tls.keyFile", f));
    c.dataPlane().tls().ifPresent(t -> check(out, "airlock.yaml", "dataPlane.tls.keyFile", t.keyFile()));
    c.controlPlane().tls().ifPresent(t -> check(out, "airlock.yaml", "controlPlane.tls.keyFile", t.keyFile()));
    for (int i = 0; i < c.routes().size(); i++) {
      String at = "routes[" + i + "].tls.keyFile";
      c.routes().get(i).tls().flatMap(t -> t.keyFile()).ifPresent(f -> check(out, "routes.yaml", at, f));
    }
    return out;
  }

  /** Only files: a variable's value is in this process's memory, not on a disk others may read. */
  private static void check(List<String> out, String key, SecretSource source) {
    if (source instanceof SecretSource.FromFile f) {
      check(out, "airlock.yaml", key, f.path());
    }
  }

  private static void check(List<String> out, String file, String key, Path p) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(p);
    } catch (UnsupportedOperationException notPosix) {
      return;
    } catch (IOException missing) {
      // reported by whoever reads it, with the reason
      return;
    }
    Set<PosixFilePermission> wide = EnumSet.noneOf(PosixFilePermission.class);
    wide.addAll(perms);
    wide.retainAll(OTHERS);
    if (!wide.isEmpty()) {
      out.add(file + ": " + key + ": " + p + " has mode " + PosixFilePermissions.toString(perms)
          + "; secrets must be readable by the service user alone (chmod 600 " + p + ")");
    }
  }
}
