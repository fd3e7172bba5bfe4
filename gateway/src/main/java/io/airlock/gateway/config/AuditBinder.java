package io.airlock.gateway.config;

import io.airlock.policy.config.AuditConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Binds {@code audit} in airlock.yaml. Absent means every default; a relative {@code dir} is
 * resolved against the config directory, like every other path in the config.
 */
final class AuditBinder {
  private AuditBinder() {}

  static final String KEY = "audit";

  /**
   * @param root the airlock.yaml root section (which must allow the key {@code audit})
   * @param configDir the absolute config directory
   */
  static AuditConfig bind(Section root, Path configDir) {
    Section a =
        root.section(KEY, "dir", "durability", "maxBatch", "queueCapacity", "streamMaxLength");
    AuditConfig d = AuditConfig.defaults(configDir);

    Path dir = d.dir();
    String dirText = a.string("dir", null);
    if (dirText != null) {
      if (dirText.indexOf('\0') >= 0) {
        a.report(a.key("dir"), "not a valid path (contains a NUL character)");
      } else {
        try {
          dir = configDir.resolve(Path.of(dirText)).normalize();
        } catch (InvalidPathException e) {
          a.report(a.key("dir"), "not a valid path: " + e.getReason());
        }
      }
    }

    AuditConfig.Durability durability = d.durability();
    String dur = a.string("durability", null);
    if (dur != null) {
      switch (dur.toLowerCase(Locale.ROOT)) {
        case "sync" -> durability = AuditConfig.Durability.SYNC;
        case "async" -> durability = AuditConfig.Durability.ASYNC;
        default ->
            a.report(
                a.key("durability"),
                "unknown durability '"
                    + dur
                    + "' (allowed: sync, which fsyncs before a response is released, or async)");
      }
    }

    int maxBatch = (int) a.integer("maxBatch", d.maxBatch(), 1, 65_536);
    int queueCapacity = (int) a.integer("queueCapacity", d.queueCapacity(), 1, 16_777_216);
    long streamMaxLength = a.integer("streamMaxLength", d.streamMaxLength(), 1, 100_000_000);
    return new AuditConfig(dir, durability, maxBatch, queueCapacity, streamMaxLength);
  }
}
