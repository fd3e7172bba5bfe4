package io.airlock.gateway.grant;

import java.nio.charset.StandardCharsets;

/**
 * The structural layer of a compact JWS: size cap, exactly three parts, each canonical base64url.
 * Canonical means re-encoding the decoded bytes gives back the same text, which rules out
 * padding, characters outside the alphabet and set spare low bits: Nimbus accepts those, so one
 * grant would otherwise have many spellings.
 */
record CompactJws(byte[] header, byte[] payload, byte[] signature, byte[] signingInput) {

  static CompactJws parse(String token, int maxChars) throws Malformed {
    if (token == null || token.isEmpty()) {
      throw new Malformed("grant is empty");
    }
    if (token.length() > maxChars) {
      throw new Malformed("grant is longer than " + maxChars + " characters");
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw new Malformed("grant must be a compact JWS of three dot-separated parts");
    }
    byte[] header = decode(token, 0, first, "header");
    byte[] payload = decode(token, first + 1, second, "payload");
    byte[] signature = decode(token, second + 1, token.length(), "signature");
    byte[] signingInput = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
    return new CompactJws(header, payload, signature, signingInput);
  }

  private static byte[] decode(String token, int from, int to, String part) throws Malformed {
    try {
      return StrictBase64Url.decode(token, from, to, "signature".equals(part));
    } catch (StrictBase64Url.Refused r) {
      throw new Malformed("grant " + part + " " + r.getMessage());
    }
  }

  /** A structural failure; the message is safe to show and names the part. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }
}
