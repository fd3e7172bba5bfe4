package io.airlock.gateway.config;

import io.airlock.policy.config.SecretSource;
import io.airlock.policy.config.SecretsConfig;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Binds {@code secrets} in airlock.yaml: the watermark and masking keys, each from a file ({@code
 * watermarkKeyFile}) or an environment variable ({@code watermarkKeyEnv}). Files are resolved,
 * never read here (the node reads them at start-up, and refuses to start on a missing file or one
 * readable by others unless the identity mode is demo, where missing files are generated). An
 * absent key defaults to {@code keys/watermark.key} or {@code keys/masking.key} beside airlock.yaml.
 */
final class SecretsBinder {
  private SecretsBinder() {}

  static final String[] KEYS = {"watermarkKeyFile", "watermarkKeyEnv", "maskingKeyFile", "maskingKeyEnv"};

  static SecretsConfig bind(Section root, Path dir, boolean demo, Function<String, String> env) {
    Section s = root.section("secrets", KEYS);
    SecretsConfig d = SecretsConfig.generatedIn(dir.resolve("keys"));
    SecretSource watermark = SecretBinder.bind(s, "watermarkKeyFile", "watermarkKeyEnv", dir, env);
    SecretSource masking = SecretBinder.bind(s, "maskingKeyFile", "maskingKeyEnv", dir, env);
    if (watermark != null && masking != null && sameSource(watermark, masking)) {
      boolean fromEnv = masking instanceof SecretSource.FromEnv;
      s.report(
          s.key(fromEnv ? "maskingKeyEnv" : "maskingKeyFile"),
          "is the same " + (fromEnv ? "variable as " + s.key("watermarkKeyEnv") : "file as " + s.key("watermarkKeyFile"))
              + ": each key has one purpose");
    }
    return new SecretsConfig(
        watermark == null ? d.watermarkKey() : watermark, masking == null ? d.maskingKey() : masking, demo);
  }

  private static boolean sameSource(SecretSource a, SecretSource b) {
    if (a instanceof SecretSource.FromEnv x && b instanceof SecretSource.FromEnv y) {
      return x.variable().equals(y.variable());
    }
    return a.equals(b);
  }
}
