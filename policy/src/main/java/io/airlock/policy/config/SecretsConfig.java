package io.airlock.policy.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code secrets.*} in airlock.yaml: where the attribution keys live. Files only, never values in
 * YAML, so a config that is shared or committed carries no secret.
 *
 * @param watermarkKeyFile key of the MAC in {@code X-Airlock-Watermark}
 * @param maskingKeyFile key the {@code hmac} masking strategy derives each agent's key from
 * @param generateMissing demo only: create missing files (0600) and do not insist on 0600
 */
public record SecretsConfig(Path watermarkKeyFile, Path maskingKeyFile, boolean generateMissing) {
  public SecretsConfig {
    Objects.requireNonNull(watermarkKeyFile, "watermarkKeyFile");
    Objects.requireNonNull(maskingKeyFile, "maskingKeyFile");
  }

  /** Where a config without a {@code secrets} section keeps them: {@code keys/} beside it, generated. */
  public static SecretsConfig generatedIn(Path dir) {
    return new SecretsConfig(dir.resolve("watermark.key"), dir.resolve("masking.key"), true);
  }
}
