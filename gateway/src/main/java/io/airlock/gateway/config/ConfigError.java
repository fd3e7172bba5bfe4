package io.airlock.gateway.config;

import java.util.Objects;

/**
 * One configuration problem.
 *
 * @param file the file name relative to the config dir, e.g. {@code routes.yaml}
 * @param key the key path inside that file, e.g. {@code routes[1].backend}, or {@code (file)}
 *     when the problem concerns the file as a whole (missing, unreadable, not YAML)
 * @param problem what is wrong and, where it helps, what is expected
 */
public record ConfigError(String file, String key, String problem) {

  /** Key used for problems with a whole file rather than one of its keys. */
  public static final String WHOLE_FILE = "(file)";

  public ConfigError {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(problem, "problem");
  }

  @Override
  public String toString() {
    return file + ": " + key + ": " + problem;
  }
}
