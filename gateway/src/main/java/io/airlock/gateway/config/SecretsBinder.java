package io.airlock.gateway.config;

import io.airlock.policy.config.SecretsConfig;
import java.nio.file.Path;

/**
 * Binds {@code secrets} in airlock.yaml: the files holding the watermark and masking keys. The
 * files are resolved, never read here (the node reads them at start-up, and refuses to start on a
 * missing file or one readable by others unless the identity mode is demo, where missing files are
 * generated). Absent keys default to {@code keys/watermark.key} and {@code keys/masking.key}
 * beside airlock.yaml.
 */
final class SecretsBinder {
  private SecretsBinder() {}

  static final String[] KEYS = {"watermarkKeyFile", "maskingKeyFile"};

  static SecretsConfig bind(Section root, Path dir, boolean demo) {
    Section s = root.section("secrets", KEYS);
    SecretsConfig d = SecretsConfig.generatedIn(dir.resolve("keys"));
    Path watermark = file(s, dir, "watermarkKeyFile", d.watermarkKeyFile());
    Path masking = file(s, dir, "maskingKeyFile", d.maskingKeyFile());
    if (watermark != null && watermark.equals(masking)) {
      s.report(s.key("maskingKeyFile"), "is the same file as secrets.watermarkKeyFile: each key has one purpose");
    }
    return new SecretsConfig(
        watermark == null ? d.watermarkKeyFile() : watermark, masking == null ? d.maskingKeyFile() : masking, demo);
  }

  private static Path file(Section s, Path dir, String k, Path dflt) {
    String text = s.string(k, null);
    if (text == null) {
      return dflt;
    }
    return ConfigLoader.resolvePath(dir, s, s.key(k), text, false);
  }
}
