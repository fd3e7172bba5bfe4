package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A YAML mapping being bound by hand. Every getter records a problem under the full key path and
 * returns a default (or null for required values) instead of throwing, so binding goes on and
 * all problems surface in one load. Callers never build a record from a value that failed: the
 * loader throws before returning anything once a problem was recorded.
 */
final class Section {
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  private final Problems problems;
  private final String file;
  private final String path;
  // null when the mapping is absent or was not a mapping (already reported): everything defaults
  private final JsonNode node;

  private Section(Problems problems, String file, String path, JsonNode node) {
    this.problems = problems;
    this.file = file;
    this.path = path;
    this.node = node;
  }

  /**
   * A mapping whose keys are fixed by the schema; any other key is reported.
   *
   * @param node the mapping, or null when absent
   */
  static Section of(
      Problems problems, String file, String path, JsonNode node, String... allowedKeys) {
    Section s = new Section(problems, file, path, node != null && node.isObject() ? node : null);
    if (node != null && !node.isObject()) {
      s.report(path, "expected a mapping, got " + Values.describe(node));
    }
    if (s.node != null) {
      Set<String> allowed = Set.of(allowedKeys);
      for (Iterator<String> it = s.node.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!allowed.contains(k)) {
          s.report(s.key(k), "unknown key (allowed: " + String.join(", ", allowedKeys) + ")");
        }
      }
    }
    return s;
  }

  /** Full key path of a child, quoting names that would be ambiguous in dotted form. */
  static String child(String path, String key) {
    String seg = PLAIN_KEY.matcher(key).matches() ? key : "[\"" + key + "\"]";
    if (path.isEmpty()) {
      return seg;
    }
    return seg.startsWith("[") ? path + seg : path + "." + seg;
  }

  String key(String k) {
    return child(path, k);
  }

  String path() {
    return path;
  }

  String file() {
    return file;
  }

  Problems problems() {
    return problems;
  }

  void report(String fullKey, String problem) {
    problems.add(file, fullKey.isEmpty() ? ConfigError.WHOLE_FILE : fullKey, problem);
  }

  boolean has(String k) {
    return node != null && node.has(k);
  }

  /**
   * The raw value, or null when absent. A present but empty value ({@code key:} or {@code key:
   * ~}) is reported: silently falling back to a default would hide a half-edited setting.
   *
   * @param requiredHint what to write when the key is required, or null when optional
   */
  JsonNode value(String k, String requiredHint) {
    if (node == null) {
      // the mapping itself is absent or broken and was reported: its keys would only echo that
      return null;
    }
    JsonNode v = node.get(k);
    if (v == null || v.isNull()) {
      if (requiredHint != null) {
        report(key(k), "missing (required: " + requiredHint + ")");
      } else if (v != null) {
        report(key(k), "empty value (remove the key to use the default)");
      }
      return null;
    }
    return v;
  }

  /** A nested mapping with a fixed set of keys; absent means "all defaults". */
  Section section(String k, String... allowedKeys) {
    return of(problems, file, key(k), value(k, null), allowedKeys);
  }

  /** A nested mapping that must be present. */
  Section requiredSection(String k, String hint, String... allowedKeys) {
    return of(problems, file, key(k), value(k, hint), allowedKeys);
  }

  /** A non-blank string, or null (absent, or reported). */
  String string(String k, String requiredHint) {
    return text(key(k), value(k, requiredHint));
  }

  /** A non-blank string at any path, or null (reported unless {@code v} is null). */
  String text(String fullKey, JsonNode v) {
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      report(fullKey, "expected text, got " + Values.describe(v));
      return null;
    }
    if (v.textValue().isBlank()) {
      report(fullKey, "empty (a value is required here)");
      return null;
    }
    return v.textValue();
  }

  boolean bool(String k, boolean dflt) {
    JsonNode v = value(k, null);
    if (v == null) {
      return dflt;
    }
    if (!v.isBoolean()) {
      report(key(k), "expected true or false, got " + Values.describe(v));
      return dflt;
    }
    return v.booleanValue();
  }

  long integer(String k, long dflt, long min, long max) {
    JsonNode v = value(k, null);
    if (v == null) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      report(key(k), "expected an integer, got " + Values.describe(v));
      return dflt;
    }
    return inRange(k, v.longValue(), String.valueOf(v.longValue()), dflt, min, max);
  }

  /** Bytes: a plain integer or a 1024-based size such as {@code 64KB}. */
  long size(String k, long dflt, long min, long max) {
    JsonNode v = value(k, null);
    if (v == null) {
      return dflt;
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return inRange(k, v.longValue(), String.valueOf(v.longValue()), dflt, min, max);
    }
    if (v.isTextual()) {
      var parsed = Values.parseSize(v.textValue());
      if (parsed.isPresent()) {
        return inRange(k, parsed.get(), v.textValue(), dflt, min, max);
      }
      report(key(k), "invalid size \"" + v.textValue() + "\" (expected " + Values.SIZE_HINT + ")");
      return dflt;
    }
    report(key(k), "expected a size (" + Values.SIZE_HINT + "), got " + Values.describe(v));
    return dflt;
  }

  private long inRange(String k, long n, String shown, long dflt, long min, long max) {
    if (n < min || n > max) {
      report(key(k), shown + " is out of range (allowed: " + min + " to " + max + ")");
      return dflt;
    }
    return n;
  }

  /**
   * A duration such as {@code 30s}.
   *
   * @param allowZero whether {@code 0s} is meaningful for this setting
   * @param max inclusive upper bound, or null
   */
  Duration duration(String k, Duration dflt, boolean allowZero, Duration max) {
    JsonNode v = value(k, null);
    if (v == null) {
      return dflt;
    }
    if (!v.isTextual()) {
      report(
          key(k),
          "expected a duration (" + Values.DURATION_HINT + "), got " + Values.describe(v));
      return dflt;
    }
    var parsed = Values.parseDuration(v.textValue());
    if (parsed.isEmpty()) {
      report(
          key(k),
          "invalid duration \"" + v.textValue() + "\" (expected " + Values.DURATION_HINT + ")");
      return dflt;
    }
    Duration d = parsed.get();
    if (d.isZero() && !allowZero) {
      report(key(k), "must be greater than 0");
      return dflt;
    }
    if (max != null && d.compareTo(max) > 0) {
      report(key(k), v.textValue() + " is over the maximum of " + Values.formatDuration(max));
      return dflt;
    }
    return d;
  }

  /**
   * A list that, when present, may not be empty: every list in the schema is a security setting
   * where "none" would silently mean "nothing allowed" or "nothing checked".
   *
   * @return the items, or null when absent or reported
   */
  List<JsonNode> list(String k, String requiredHint) {
    JsonNode v = value(k, requiredHint);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      report(key(k), "expected a list, got " + Values.describe(v));
      return null;
    }
    if (v.isEmpty()) {
      report(
          key(k),
          "empty list ("
              + (requiredHint != null ? "required: " + requiredHint : "omit the key for the default")
              + ")");
      return null;
    }
    List<JsonNode> items = new ArrayList<>();
    v.forEach(items::add);
    return items;
  }

  /** Full key path of a list item. */
  String item(String k, int index) {
    return key(k) + "[" + index + "]";
  }

  /**
   * A mapping with user-chosen keys (profile names, field names), in file order.
   *
   * @return the entries, or null when absent or reported
   */
  List<Map.Entry<String, JsonNode>> entries(String k, String requiredHint) {
    JsonNode v = value(k, requiredHint);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      report(key(k), "expected a mapping, got " + Values.describe(v));
      return null;
    }
    if (v.isEmpty()) {
      report(
          key(k),
          "empty mapping (" + (requiredHint != null ? "required: " + requiredHint : "omit the key") + ")");
      return null;
    }
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    out.addAll(v.properties());
    return out;
  }

  /** Names of a fixed-key section's entries, for "known: ..." hints. */
  static String join(Iterable<String> names) {
    Set<String> s = new LinkedHashSet<>();
    names.forEach(s::add);
    return String.join(", ", s);
  }
}
