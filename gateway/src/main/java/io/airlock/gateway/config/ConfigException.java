package io.airlock.gateway.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration is invalid. Carries every problem found, so an operator fixes them in one
 * round instead of one restart per mistake.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(render(errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one error");
    }
    this.errors = List.copyOf(errors);
  }

  /** Every problem, in the order found (file by file, top to bottom). */
  public List<ConfigError> errors() {
    return errors;
  }

  private static String render(List<ConfigError> errors) {
    return errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
  }
}
