package io.airlock.gateway.config;

import io.airlock.policy.config.SecretSource;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Binds one secret: {@code <name>File} or {@code <name>Env}, exactly one. The file is only
 * resolved (the node reads it when it starts, as its service user); the variable is read now, so
 * that an unset or empty one is reported with every other problem, by name and never by value.
 */
final class SecretBinder {
  private SecretBinder() {}

  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /**
   * @param env the process environment (tests pass their own)
   * @return the source, or null when neither key is present or a problem was reported
   */
  static SecretSource bind(Section s, String fileKey, String envKey, Path dir, Function<String, String> env) {
    boolean file = s.has(fileKey);
    boolean fromEnv = s.has(envKey);
    if (file && fromEnv) {
      s.report(s.key(envKey), "set either " + s.key(fileKey) + " or " + s.key(envKey) + ", not both");
      return null;
    }
    if (file) {
      String text = s.string(fileKey, null);
      Path p = text == null ? null : ConfigLoader.resolvePath(dir, s, s.key(fileKey), text, false);
      return p == null ? null : new SecretSource.FromFile(p);
    }
    if (fromEnv) {
      String name = s.string(envKey, null);
      if (name == null) {
        return null;
      }
      if (!ENV_NAME.matcher(name).matches()) {
        s.report(s.key(envKey), "not an environment variable name (letters, digits and _, not starting with a digit)"
            + ": it names the variable that holds the secret; the secret itself never goes in YAML");
        return null;
      }
      String value = env.apply(name);
      if (value == null) {
        s.report(s.key(envKey), "environment variable " + name + " is not set");
        return null;
      }
      if (value.isBlank()) {
        s.report(s.key(envKey), "environment variable " + name + " is empty");
        return null;
      }
      return new SecretSource.FromEnv(name, value);
    }
    return null;
  }

  /** Both spellings, for "required" hints. */
  static String either(Section s, String fileKey, String envKey) {
    return s.key(fileKey) + " (a file) or " + s.key(envKey) + " (an environment variable)";
  }
}
