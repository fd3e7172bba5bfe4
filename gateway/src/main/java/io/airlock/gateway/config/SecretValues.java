package io.airlock.gateway.config;

import io.airlock.policy.config.SecretSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** Reads a secret where its {@link SecretSource} says. Blocking: start-up and tools only. */
public final class SecretValues {
  private SecretValues() {}

  /** The file's text, or the variable's value (read when the config was loaded). */
  public static String read(SecretSource source) throws IOException {
    if (source instanceof SecretSource.FromEnv e) {
      return e.value();
    }
    return Files.readString(((SecretSource.FromFile) source).path(), StandardCharsets.UTF_8);
  }
}
