package io.airlock.gateway.config;

import java.util.ArrayList;
import java.util.List;

/** Collects problems instead of throwing, so one load reports all of them. */
final class Problems {
  private final List<ConfigError> errors = new ArrayList<>();

  void add(String file, String key, String problem) {
    errors.add(new ConfigError(file, key, problem));
  }

  int count() {
    return errors.size();
  }

  List<ConfigError> all() {
    return List.copyOf(errors);
  }
}
