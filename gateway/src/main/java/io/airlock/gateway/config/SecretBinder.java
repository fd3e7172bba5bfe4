package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.config.SecretSource;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Binds one secret: {@code <name>File} or {@code <name>Env}, exactly one. The file is only
 * resolved (the node reads it when it starts, as its service user); the variable is read now, so
 * that an unset or empty one is reported with every other problem, never by value, and by name
 * only when the name looks like one (see {@link #CONVENTIONAL_NAME}).
 */
final class SecretBinder {
  private SecretBinder() {}

  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  /**
   * How every documented variable is spelled. Only such a name is repeated in a message: anything
   * else may be the secret itself pasted into the {@code …Env} key, and messages reach terminals
   * and CI logs. The {@code _} matters: base32 secrets are upper case and digits, but never {@code _}.
   */
  static final Pattern CONVENTIONAL_NAME = Pattern.compile("[A-Z][A-Z0-9]*_[A-Z0-9_]*");

  /**
   * How a file path is spelled, for the same reason: one with a directory ({@code keys/k1},
   * {@code /run/secrets/x}) or a short name with an extension ({@code redis.password}). Anything
   * else (a PEM block, a JWK, a JWT, base64, {@code hunter2}) is likelier the secret itself. Only
   * consulted when no such file exists, so an oddly named file that is there always binds.
   */
  static final Pattern PATH_LIKE =
      Pattern.compile("[A-Za-z0-9._/~@:-]*/[A-Za-z0-9._/~@:-]*|[A-Za-z0-9._~@:-]{1,60}\\.[A-Za-z0-9]{1,8}");

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
      if (text != null && !PATH_LIKE.matcher(text).matches() && noFileAt(dir, text)) {
        // not resolved: an InvalidPathException's reason would quote it, and so would every
        // later "cannot read" at start-up and check-config's listing
        s.report(s.key(fileKey), "names no file that exists; the value is not shown because it does not look"
            + " like a file path (a directory and a name, or a name with an extension like .key) and may be"
            + " a secret pasted by mistake: the secret goes in the file, this key names the file");
        return null;
      }
      Path p = text == null ? null : ConfigLoader.resolvePath(dir, s, s.key(fileKey), text, false);
      return p == null ? null : new SecretSource.FromFile(p);
    }
    if (fromEnv) {
      String name = variableName(s, envKey);
      if (name == null) {
        return null;
      }
      String value = env.apply(name);
      if (value == null || value.isBlank()) {
        String problem = value == null ? "is not set" : "is empty";
        s.report(s.key(envKey), CONVENTIONAL_NAME.matcher(name).matches()
            ? "environment variable " + name + " " + problem
            : "names no variable that " + (value == null ? "is set" : "has a value") + "; the name is not shown because"
                + " it does not look like an environment variable name (upper-case words joined by _, e.g."
                + " AIRLOCK_REDIS_PASSWORD) and may be a secret pasted by mistake");
        return null;
      }
      return new SecretSource.FromEnv(name, value);
    }
    return null;
  }

  /** The {@code …Env} value if it can name a variable; reported, never quoted, otherwise. */
  private static String variableName(Section s, String envKey) {
    JsonNode v = s.value(envKey, null);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      // Section.text would quote a number, and a numeric password is a number in YAML
      s.report(s.key(envKey), "expected the name of an environment variable, got " + (v.isNumber() ? "a number"
          : v.isBoolean() ? "a boolean" : v.isArray() ? "a list" : v.isObject() ? "a mapping" : "something else")
          + " (not shown: it may be a secret pasted by mistake)");
      return null;
    }
    String name = s.text(s.key(envKey), v);
    if (name != null && !ENV_NAME.matcher(name).matches()) {
      s.report(s.key(envKey), "not an environment variable name (letters, digits and _, not starting with a digit)"
          + ": it names the variable that holds the secret; the secret itself never goes in YAML");
      return null;
    }
    return name;
  }

  private static boolean noFileAt(Path dir, String text) {
    try {
      return Files.notExists(dir.resolve(text));
    } catch (InvalidPathException e) {
      return true;
    }
  }

  /** Both spellings, for "required" hints. */
  static String either(Section s, String fileKey, String envKey) {
    return s.key(fileKey) + " (a file) or " + s.key(envKey) + " (an environment variable)";
  }
}
