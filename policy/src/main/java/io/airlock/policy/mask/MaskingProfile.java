package io.airlock.policy.mask;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One masking profile from masking.yaml, validated and immutable.
 *
 * <p>{@code fields} maps a field name, lower-cased with {@link Locale#ROOT}, to its rule;
 * {@code paths} maps a JSON path ({@code $.a.b}, {@code $.items[*].c}) to its rule and wins over a
 * field-name rule. In {@link Mode#ALLOW} a field that is neither {@code clear} nor classified is
 * redacted; in {@link Mode#BLOCK} it is shown. Detectors apply to every scalar that would be shown,
 * clear fields included, and also find card numbers, SSNs and IBANs written inside such strings.
 */
public record MaskingProfile(
    String name,
    Mode mode,
    Map<String, FieldRule> fields,
    Map<String, FieldRule> paths,
    Set<Detector> detectors,
    Map<FieldClass, Strategy> strategies,
    int maxDepth) {

  public enum Mode {
    ALLOW,
    BLOCK
  }

  /** Default strategy per class when masking.yaml does not say otherwise. */
  public static Map<FieldClass, Strategy> defaultStrategies() {
    Map<FieldClass, Strategy> m = new EnumMap<>(FieldClass.class);
    m.put(FieldClass.SSN, Strategy.LAST4);
    m.put(FieldClass.EMAIL, Strategy.EMAIL);
    m.put(FieldClass.PHONE, Strategy.LAST4);
    m.put(FieldClass.ADDRESS, Strategy.REDACT);
    m.put(FieldClass.DOB, Strategy.REDACT);
    m.put(FieldClass.BANK, Strategy.LAST4);
    m.put(FieldClass.CARD, Strategy.LAST4);
    m.put(FieldClass.DOCUMENT, Strategy.REDACT);
    m.put(FieldClass.SECRET, Strategy.DROP);
    return m;
  }

  public static final int DEFAULT_MAX_DEPTH = 64;

  public MaskingProfile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mode, "mode");
    fields = Map.copyOf(fields);
    paths = Map.copyOf(paths);
    detectors = Set.copyOf(detectors);
    Map<FieldClass, Strategy> s = defaultStrategies();
    s.putAll(strategies);
    // secret is always dropped: no configuration can show it
    s.put(FieldClass.SECRET, Strategy.DROP);
    strategies = Map.copyOf(s);
    for (String k : fields.keySet()) {
      if (!k.equals(k.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("field names must be lower-cased with Locale.ROOT: " + k);
      }
    }
    if (maxDepth < 1) {
      throw new IllegalArgumentException("maxDepth must be at least 1");
    }
  }

  /** The rule for a field name (any case), if the profile names it. */
  public Optional<FieldRule> ruleForField(String fieldName) {
    return Optional.ofNullable(fields.get(fieldName.toLowerCase(Locale.ROOT)));
  }

  public Strategy strategyFor(FieldClass c) {
    return strategies.get(c);
  }

  /** A field is either shown in clear or belongs to a class. */
  public record FieldRule(Optional<FieldClass> fieldClass) {
    public static final FieldRule CLEAR = new FieldRule(Optional.empty());

    public static FieldRule of(FieldClass c) {
      return new FieldRule(Optional.of(c));
    }

    public boolean isClear() {
      return fieldClass.isEmpty();
    }
  }
}
