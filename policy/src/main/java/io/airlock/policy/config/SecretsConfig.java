package io.airlock.policy.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code secrets.*} in airlock.yaml: where the attribution keys come from, a file or an
 * environment variable each, never a YAML value.
 *
 * @param watermarkKey key of the MAC in {@code X-Airlock-Watermark}
 * @param maskingKey key the {@code hmac} masking strategy derives each agent's key from
 * @param generateMissing demo only: create missing files (0600) and do not insist on 0600
 */
public record SecretsConfig(SecretSource watermarkKey, SecretSource maskingKey, boolean generateMissing) {
  public SecretsConfig {
    Objects.requireNonNull(watermarkKey, "watermarkKey");
    Objects.requireNonNull(maskingKey, "maskingKey");
  }

  /** Both keys in files. */
  public SecretsConfig(Path watermarkKeyFile, Path maskingKeyFile, boolean generateMissing) {
    this(new SecretSource.FromFile(watermarkKeyFile), new SecretSource.FromFile(maskingKeyFile), generateMissing);
  }

  /** Where a config without a {@code secrets} section keeps them: {@code keys/} beside it, generated. */
  public static SecretsConfig generatedIn(Path dir) {
    return new SecretsConfig(dir.resolve("watermark.key"), dir.resolve("masking.key"), true);
  }
}
