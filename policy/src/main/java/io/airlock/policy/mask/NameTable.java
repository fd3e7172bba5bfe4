package io.airlock.policy.mask;

import java.util.Locale;
import java.util.Map;

/**
 * Case-insensitive (Locale.ROOT) lookup of field names without allocating: ASCII names, the common
 * case, are folded while hashing; anything else is lower-cased with Locale.ROOT first, which is
 * exactly how the profile's keys were folded.
 */
final class NameTable<V> {
  private final String[] keys;
  private final Object[] values;
  private final int mask;

  NameTable(Map<String, V> lowerCased) {
    int cap = 8;
    while (cap < lowerCased.size() * 3) {
      cap <<= 1;
    }
    keys = new String[cap];
    values = new Object[cap];
    mask = cap - 1;
    for (Map.Entry<String, V> e : lowerCased.entrySet()) {
      String k = e.getKey();
      int i = spread(hash(k)) & mask;
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = k;
      values[i] = e.getValue();
    }
  }

  boolean isEmpty() {
    for (String k : keys) {
      if (k != null) {
        return false;
      }
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  V get(String name) {
    int n = name.length();
    int h = 0;
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c >= 0x80) {
        return getFolded(name.toLowerCase(Locale.ROOT));
      }
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      h = 31 * h + c;
    }
    int i = spread(h) & mask;
    String k;
    while ((k = keys[i]) != null) {
      if (asciiEqualsFolded(k, name)) {
        return (V) values[i];
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private V getFolded(String folded) {
    int i = spread(hash(folded)) & mask;
    String k;
    while ((k = keys[i]) != null) {
      if (k.equals(folded)) {
        return (V) values[i];
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  // keys are already folded; ASCII folding of the probe is Locale.ROOT folding for ASCII
  private static int hash(String folded) {
    int h = 0;
    for (int i = 0; i < folded.length(); i++) {
      h = 31 * h + folded.charAt(i);
    }
    return h;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  private static boolean asciiEqualsFolded(String folded, String name) {
    int n = name.length();
    if (folded.length() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      if (c != folded.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
