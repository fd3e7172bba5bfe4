package io.airlock.gateway.dataplane;

import java.util.List;
import java.util.Locale;

/**
 * Step 10: what a backend response body is, judged from its headers before any byte of it is
 * read, so the forwarder can mask it, pass it, or refuse it while the status is still its own.
 */
enum BodyKind {
  /** JSON the masker reads: one {@code application/json} or {@code application/*+json}, UTF-8. */
  MASKABLE_JSON,
  /** JSON in a form the masker does not read: another charset, {@code text/json}, NDJSON... */
  UNMASKABLE_JSON,
  /** A Content-Encoding other than identity: nobody here can see what is inside. */
  ENCODED,
  /** No Content-Type, or more than one that are not JSON: it may be JSON all the same. */
  UNTYPED,
  /** One explicit media type that is not JSON (PDF, CSV, HTML...). */
  OTHER;

  static BodyKind of(List<String> contentTypes, List<String> contentEncodings) {
    for (String value : contentEncodings) {
      for (String coding : value.split(",")) {
        String c = coding.trim();
        // we sent Accept-Encoding: identity, so anything else is a backend ignoring it
        if (!c.isEmpty() && !c.equalsIgnoreCase("identity")) {
          return ENCODED;
        }
      }
    }
    List<String> types = contentTypes.stream().filter(t -> !t.isBlank()).toList();
    if (types.isEmpty()) {
      return UNTYPED;
    }
    boolean anyJson = types.stream().anyMatch(BodyKind::isJson);
    if (types.size() > 1) {
      // a repeated singleton header: the agent may believe either one, so take the worse
      return anyJson ? UNMASKABLE_JSON : UNTYPED;
    }
    if (!anyJson) {
      return OTHER;
    }
    return maskable(types.get(0)) ? MASKABLE_JSON : UNMASKABLE_JSON;
  }

  /** Any media type naming JSON, so a variant nobody listed is refused rather than passed. */
  static boolean isJson(String contentType) {
    return mediaType(contentType).contains("json");
  }

  /** The type/subtype, lower case, without parameters. */
  static String mediaType(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static boolean maskable(String contentType) {
    String type = mediaType(contentType);
    if (!type.equals("application/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
      return false;
    }
    String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.startsWith("charset=")) {
        String cs = p.substring("charset=".length()).replace("\"", "");
        if (!cs.equals("utf-8") && !cs.equals("utf8")) {
          return false;
        }
      }
    }
    return true;
  }
}
