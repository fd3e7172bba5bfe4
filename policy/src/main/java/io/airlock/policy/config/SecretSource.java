package io.airlock.policy.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one secret comes from: a file, or an environment variable. Never a YAML value, so a
 * config that is shared, printed or committed carries no secret. Each secret key in the config
 * has two spellings, {@code <name>File} and {@code <name>Env} (for {@code grants.keys[n]}: {@code
 * file} and {@code env}), and exactly one of them is set.
 */
public sealed interface SecretSource {
  /** Where the secret is, for messages and {@code check-config}: never the secret itself. */
  String describe();

  /** A file read when the node starts (mode 0600 outside demo mode). */
  record FromFile(Path path) implements SecretSource {
    public FromFile {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String describe() {
      return "file " + path;
    }
  }

  /**
   * An environment variable, read when the config was loaded (a variable that is unset or empty
   * refuses the config, naming the variable).
   *
   * @param variable the variable's name
   * @param value its value: the secret
   */
  record FromEnv(String variable, String value) implements SecretSource {
    public FromEnv {
      Objects.requireNonNull(variable, "variable");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String describe() {
      return "env " + variable;
    }

    // the value is the secret: a record's generated toString would print it into any log line
    @Override
    public String toString() {
      return "FromEnv[variable=" + variable + "]";
    }
  }
}
