package io.airlock.gateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A minimal valid config directory that tests change one file at a time. */
final class ConfigFiles {
  static final String AIRLOCK =
      """
      grants:
        issuer: http://127.0.0.1:8081
        activeKid: k1
        keys:
          - kid: k1
            file: keys/k1.jwk.json
      identity:
        mode: demo
      """;

  static final String ROUTES =
      """
      routes:
        - id: r1
          path: /clients/{client}
          backend: http://127.0.0.1:9090
          masking: p1
      """;

  static final String MASKING =
      """
      profiles:
        p1:
          clear: [id, name]
          fields: { email: email }
      """;

  private final Map<String, String> files = new LinkedHashMap<>();

  ConfigFiles() {
    files.put("airlock.yaml", AIRLOCK);
    files.put("routes.yaml", ROUTES);
    files.put("masking.yaml", MASKING);
  }

  /** Replaces a file's content; null removes the file. */
  ConfigFiles with(String file, String content) {
    files.put(file, content);
    return this;
  }

  Path writeTo(Path dir) {
    try {
      for (Map.Entry<String, String> e : files.entrySet()) {
        if (e.getValue() != null) {
          Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }
}
