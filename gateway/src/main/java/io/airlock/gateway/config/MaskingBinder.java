package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.mask.Detector;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.MaskingProfile.FieldRule;
import io.airlock.policy.mask.Strategy;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Binds masking.yaml: global strategy overrides and the named profiles. */
final class MaskingBinder {
  private MaskingBinder() {}

  static final String FILE = "masking.yaml";
  static final String CLEAR = "clear";
  static final int MAX_DEPTH_LIMIT = 1000;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  // $.a.b, $.items[*].c: the subset the masker matches while streaming, without backtracking
  private static final Pattern JSON_PATH = Pattern.compile("\\$(\\.[^.\\[\\]\\s*]+|\\[\\*\\])+");

  /**
   * @param profiles the profiles that bound without problems
   * @param names every profile name defined, including ones with problems, so a route naming a
   *     broken profile is not also told the profile does not exist
   */
  record Result(Map<String, MaskingProfile> profiles, Set<String> names) {}

  static Result bind(JsonNode tree, Problems problems) {
    Section root = Section.of(problems, FILE, "", tree, "strategies", "profiles");
    Map<FieldClass, Strategy> strategies = strategies(root);
    Map<String, MaskingProfile> profiles = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>();
    var entries = root.entries("profiles", "at least one profile");
    if (entries == null) {
      return new Result(profiles, names);
    }
    for (Map.Entry<String, JsonNode> e : entries) {
      String name = e.getKey();
      names.add(name);
      int before = problems.count();
      String at = root.key("profiles");
      if (!NAME.matcher(name).matches()) {
        root.report(
            Section.child(at, name), "profile name must be 1-64 letters, digits, '.', '_' or '-'");
      }
      Optional<MaskingProfile> p = profile(name, Section.child(at, name), e.getValue(), strategies, problems);
      if (problems.count() == before && p.isPresent()) {
        profiles.put(name, p.get());
      }
    }
    return new Result(profiles, names);
  }

  private static Map<FieldClass, Strategy> strategies(Section root) {
    Map<FieldClass, Strategy> out = new EnumMap<>(FieldClass.class);
    var entries = root.entries("strategies", null);
    if (entries == null) {
      return out;
    }
    String at = root.key("strategies");
    for (Map.Entry<String, JsonNode> e : entries) {
      String key = Section.child(at, e.getKey());
      Optional<FieldClass> c = FieldClass.parse(e.getKey());
      if (c.isEmpty()) {
        root.report(key, "unknown class '" + e.getKey() + "' (known: " + classCodes() + ")");
        continue;
      }
      String s = root.text(key, e.getValue());
      if (s == null) {
        continue;
      }
      Optional<Strategy> strategy = Strategy.parse(s);
      if (strategy.isEmpty()) {
        root.report(key, "unknown strategy '" + s + "' (known: " + strategyCodes() + ")");
      } else if (c.get() == FieldClass.SECRET && strategy.get() != Strategy.DROP) {
        // MaskingProfile would force drop anyway; saying so beats silently ignoring the setting
        root.report(key, "secret is always dropped; only 'drop' is allowed");
      } else {
        out.put(c.get(), strategy.get());
      }
    }
    return out;
  }

  private static Optional<MaskingProfile> profile(
      String name, String at, JsonNode node, Map<FieldClass, Strategy> strategies, Problems problems) {
    Section p =
        Section.of(problems, FILE, at, node, "mode", "maxDepth", "detectors", "clear", "fields", "paths");
    if (node == null || !node.isObject()) {
      return Optional.empty();
    }

    MaskingProfile.Mode mode = MaskingProfile.Mode.ALLOW;
    String modeText = p.string("mode", null);
    if (modeText != null) {
      switch (modeText.toLowerCase(Locale.ROOT)) {
        case "allow" -> mode = MaskingProfile.Mode.ALLOW;
        case "block" -> mode = MaskingProfile.Mode.BLOCK;
        default -> p.report(p.key("mode"), "unknown mode '" + modeText + "' (allowed: allow, block)");
      }
    }

    int maxDepth =
        (int) p.integer("maxDepth", MaskingProfile.DEFAULT_MAX_DEPTH, 1, MAX_DEPTH_LIMIT);

    Set<Detector> detectors = EnumSet.allOf(Detector.class);
    List<JsonNode> detectorItems = p.list("detectors", null);
    if (detectorItems != null) {
      detectors = EnumSet.noneOf(Detector.class);
      for (int i = 0; i < detectorItems.size(); i++) {
        String key = p.item("detectors", i);
        String d = p.text(key, detectorItems.get(i));
        if (d == null) {
          continue;
        }
        Optional<Detector> det = Detector.parse(d);
        if (det.isEmpty()) {
          p.report(key, "unknown detector '" + d + "' (known: " + detectorCodes() + ")");
        } else if (!detectors.add(det.get())) {
          p.report(key, "detector '" + d + "' listed twice");
        }
      }
    }

    Set<String> clear = new LinkedHashSet<>();
    List<JsonNode> clearItems = p.list("clear", null);
    if (clearItems != null) {
      for (int i = 0; i < clearItems.size(); i++) {
        String key = p.item("clear", i);
        String f = p.text(key, clearItems.get(i));
        if (f != null && !clear.add(f.toLowerCase(Locale.ROOT))) {
          p.report(key, "field '" + f + "' listed twice (names are compared case-insensitively)");
        }
      }
    }

    Map<String, FieldRule> fields = new LinkedHashMap<>();
    for (String f : clear) {
      fields.put(f, FieldRule.CLEAR);
    }
    Map<String, String> classifiedAs = new LinkedHashMap<>();
    var fieldEntries = p.entries("fields", null);
    if (fieldEntries != null) {
      for (Map.Entry<String, JsonNode> e : fieldEntries) {
        String key = Section.child(p.key("fields"), e.getKey());
        String lower = e.getKey().toLowerCase(Locale.ROOT);
        String c = p.text(key, e.getValue());
        if (c == null) {
          continue;
        }
        if (c.equalsIgnoreCase(CLEAR)) {
          p.report(key, "list fields shown in clear under 'clear', not here");
          continue;
        }
        Optional<FieldClass> fc = FieldClass.parse(c);
        if (fc.isEmpty()) {
          p.report(key, "unknown class '" + c + "' (known: " + classCodes() + ")");
        } else if (clear.contains(lower)) {
          p.report(key, "classified as " + fc.get().code() + " but also listed in clear");
        } else if (classifiedAs.containsKey(lower)) {
          p.report(
              key,
              "same field as '"
                  + classifiedAs.get(lower)
                  + "' (names are compared case-insensitively)");
        } else {
          classifiedAs.put(lower, e.getKey());
          fields.put(lower, FieldRule.of(fc.get()));
        }
      }
    }

    Map<String, FieldRule> paths = new LinkedHashMap<>();
    Map<String, String> pathSpelling = new LinkedHashMap<>();
    var pathEntries = p.entries("paths", null);
    if (pathEntries != null) {
      for (Map.Entry<String, JsonNode> e : pathEntries) {
        String key = Section.child(p.key("paths"), e.getKey());
        if (!JSON_PATH.matcher(e.getKey()).matches()) {
          p.report(key, "invalid JSON path (expected forms: $.name, $.a.b, $.items[*].name)");
          continue;
        }
        // the masker matches path names case-insensitively, like field names
        String previous = pathSpelling.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getKey());
        if (previous != null) {
          p.report(
              key, "same path as '" + previous + "' (names are compared case-insensitively)");
          continue;
        }
        String c = p.text(key, e.getValue());
        if (c == null) {
          continue;
        }
        if (c.equalsIgnoreCase(CLEAR)) {
          paths.put(e.getKey(), FieldRule.CLEAR);
          continue;
        }
        Optional<FieldClass> fc = FieldClass.parse(c);
        if (fc.isEmpty()) {
          p.report(key, "unknown class '" + c + "' (known: clear, " + classCodes() + ")");
        } else {
          paths.put(e.getKey(), FieldRule.of(fc.get()));
        }
      }
    }

    return Optional.of(new MaskingProfile(name, mode, fields, paths, detectors, strategies, maxDepth));
  }

  private static String classCodes() {
    return Arrays.stream(FieldClass.values()).map(FieldClass::code).collect(Collectors.joining(", "));
  }

  private static String strategyCodes() {
    return Arrays.stream(Strategy.values()).map(Strategy::code).collect(Collectors.joining(", "));
  }

  private static String detectorCodes() {
    return Arrays.stream(Detector.values()).map(Detector::code).collect(Collectors.joining(", "));
  }
}
