package io.airlock.policy.mask;

import io.airlock.policy.mask.MaskingProfile.FieldRule;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The profile's path rules as a trie walked alongside the parser, so finding a path rule costs one
 * table probe per field instead of building path strings.
 *
 * <p>Supported syntax: {@code $}, then any of {@code .name} and {@code [*]}. Names compare like
 * field names (Locale.ROOT, case-insensitive).
 */
final class PathNode {
  final FieldRule rule;
  private final NameTable<PathNode> children;
  final PathNode anyIndex;

  private PathNode(FieldRule rule, NameTable<PathNode> children, PathNode anyIndex) {
    this.rule = rule;
    this.children = children;
    this.anyIndex = anyIndex;
  }

  PathNode child(String name) {
    return children == null ? null : children.get(name);
  }

  /** Null when there are no path rules, so the masker skips path tracking. */
  static PathNode compile(Map<String, FieldRule> paths) {
    if (paths.isEmpty()) {
      return null;
    }
    Builder root = new Builder();
    for (Map.Entry<String, FieldRule> e : paths.entrySet()) {
      String p = e.getKey();
      if (!p.startsWith("$")) {
        throw new IllegalArgumentException("path must start with $: " + p);
      }
      Builder b = root;
      int i = 1;
      while (i < p.length()) {
        char c = p.charAt(i);
        if (c == '.') {
          int end = i + 1;
          while (end < p.length() && p.charAt(end) != '.' && p.charAt(end) != '[') {
            end++;
          }
          if (end == i + 1) {
            throw new IllegalArgumentException("empty name in path: " + p);
          }
          String name = p.substring(i + 1, end).toLowerCase(Locale.ROOT);
          b = b.names.computeIfAbsent(name, k -> new Builder());
          i = end;
        } else if (p.startsWith("[*]", i)) {
          if (b.any == null) {
            b.any = new Builder();
          }
          b = b.any;
          i += 3;
        } else {
          throw new IllegalArgumentException("unsupported path syntax (use .name and [*]): " + p);
        }
      }
      if (b.rule != null && !b.rule.equals(e.getValue())) {
        throw new IllegalArgumentException("conflicting rules for path: " + p);
      }
      b.rule = e.getValue();
    }
    return root.build();
  }

  private static final class Builder {
    FieldRule rule;
    final Map<String, Builder> names = new HashMap<>();
    Builder any;

    PathNode build() {
      Map<String, PathNode> built = new HashMap<>();
      names.forEach((k, v) -> built.put(k, v.build()));
      return new PathNode(
          rule, built.isEmpty() ? null : new NameTable<>(built), any == null ? null : any.build());
    }
  }
}
