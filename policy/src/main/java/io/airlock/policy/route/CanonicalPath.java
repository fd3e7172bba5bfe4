package io.airlock.policy.route;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A request target that passed data-plane step 1: decoded exactly once, and in a form where
 * the gateway and any backend must agree on what it names. The forwarded path is rebuilt from
 * {@link #segments()}, never copied from the raw target, so what the backend decodes is what was
 * checked.
 *
 * <p>The rules are deliberately narrower than RFC 3986: a support tool has no business sending
 * dot segments, empty segments, matrix parameters or encoded delimiters, and each of those is a
 * known way to make a proxy and a backend disagree about which resource is meant.
 */
public record CanonicalPath(String path, List<String> segments, String rawQuery) {

  /** Characters allowed in a decoded path segment: RFC 3986 unreserved plus a few sub-delims. */
  private static final boolean[] SEGMENT_CHARS = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      SEGMENT_CHARS[c] = true;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      SEGMENT_CHARS[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      SEGMENT_CHARS[c] = true;
    }
    // ';' (matrix params, ;jsessionid) and '%' (double encoding) are deliberately absent
    for (char c : "-._~!$&'()*+,=:@".toCharArray()) {
      SEGMENT_CHARS[c] = true;
    }
  }

  public CanonicalPath {
    segments = List.copyOf(segments);
    // routing reads segments and forwarding reads path: they must never disagree
    if (!path.equals("/" + String.join("/", segments))) {
      throw new IllegalArgumentException("path and segments disagree: " + path + " vs " + segments);
    }
  }

  /**
   * Checks and decodes a raw HTTP request target (origin-form only).
   *
   * @throws Denied with {@link Reason#BAD_PATH} naming what is wrong
   */
  public static CanonicalPath parse(String rawTarget, int maxLength) {
    if (rawTarget == null || rawTarget.isEmpty()) {
      throw bad("empty request target");
    }
    if (rawTarget.length() > maxLength) {
      throw bad("request target longer than " + maxLength + " characters");
    }
    if (rawTarget.charAt(0) != '/') {
      // absolute-form (http://host/...), authority-form and '*' are never forwarded
      throw bad("request target must be a path starting with '/' (absolute-form and '*' are refused)");
    }
    int q = rawTarget.indexOf('?');
    String rawPath = q < 0 ? rawTarget : rawTarget.substring(0, q);
    String rawQuery = q < 0 ? null : rawTarget.substring(q + 1);
    int hash = rawPath.indexOf('#');
    if (hash >= 0 || (rawQuery != null && rawQuery.indexOf('#') >= 0)) {
      throw bad("fragment in request target");
    }
    String decoded = decodeOnce(rawPath);
    if (decoded.length() > 1 && decoded.endsWith("/")) {
      throw bad("trailing '/'");
    }
    List<String> segments = decoded.equals("/") ? List.of() : List.of(decoded.substring(1).split("/", -1));
    for (String s : segments) {
      checkSegment(s);
    }
    if (rawQuery != null) {
      checkQuery(rawQuery);
    }
    return new CanonicalPath(decoded, segments, rawQuery);
  }

  private static void checkSegment(String s) {
    if (s.isEmpty()) {
      throw bad("empty path segment ('//')");
    }
    if (s.equals(".") || s.equals("..")) {
      throw bad("dot segment ('/" + s + "/')");
    }
    if (s.endsWith(".")) {
      // some backends (Windows, IIS, some frameworks) strip a trailing dot: c-1. would name c-1
      throw bad("path segment ends with '.'");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw bad("control character in path");
      }
      if (c == '\\') {
        throw bad("backslash in path");
      }
      if (c == ';') {
        throw bad("';' (path parameter) in path");
      }
      if (c == '%') {
        throw bad("'%' in decoded path (double encoding)");
      }
      if (c >= 128 || !SEGMENT_CHARS[c]) {
        throw bad("character not allowed in path: U+" + String.format("%04X", (int) c));
      }
    }
  }

  private static void checkQuery(String q) {
    for (int i = 0; i < q.length(); i++) {
      char c = q.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw bad("control, space or non-ASCII character in query");
      }
      if (c == '%') {
        if (i + 2 >= q.length() || hex(q.charAt(i + 1)) < 0 || hex(q.charAt(i + 2)) < 0) {
          throw bad("malformed percent-encoding in query");
        }
        int b = (hex(q.charAt(i + 1)) << 4) | hex(q.charAt(i + 2));
        if (b < 0x20 || b == 0x7f) {
          throw bad("encoded control character in query");
        }
      } else if (c != '/' && c != '?' && (c >= 128 || !SEGMENT_CHARS[c])) {
        // only what RFC 3986 allows raw in a query, so every client and backend parses it alike
        throw bad("character not allowed raw in query: '" + c + "'");
      }
    }
  }

  private static String decodeOnce(String raw) {
    byte[] out = new byte[raw.length()];
    int n = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c >= 0x80) {
        throw bad("non-ASCII byte in raw request target");
      }
      if (c < 0x20 || c == 0x7f) {
        throw bad("control character in request target");
      }
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw bad("truncated percent-encoding");
        }
        int hi = hex(raw.charAt(i + 1));
        int lo = hex(raw.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          throw bad("malformed percent-encoding");
        }
        int b = (hi << 4) | lo;
        if (b == '/' || b == '\\' || b == '.') {
          throw bad("encoded '" + (char) b + "' in path");
        }
        if (b < 0x20 || b == 0x7f) {
          throw bad("encoded control character in path");
        }
        out[n++] = (byte) b;
        i += 2;
      } else {
        out[n++] = (byte) c;
      }
    }
    CharsetDecoder dec =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      // the JDK decoder rejects overlong forms and surrogates, which is what we want
      CharBuffer cb = dec.decode(ByteBuffer.wrap(out, 0, n));
      return cb.toString();
    } catch (CharacterCodingException e) {
      throw bad("path is not valid UTF-8");
    }
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static Denied bad(String message) {
    return new Denied(Reason.BAD_PATH, message);
  }

  /** The target to send to a backend whose base path is {@code basePath} (may be empty). */
  public String forwardTarget(String basePath) {
    String base = basePath == null || basePath.equals("/") ? "" : stripTrailingSlash(basePath);
    // every character left in the path is legal unencoded in a URI path, so no re-encoding
    return base + path + (rawQuery == null ? "" : "?" + rawQuery);
  }

  private static String stripTrailingSlash(String s) {
    String t = s;
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t.isEmpty() || t.startsWith("/") ? t : "/" + t;
  }
}
