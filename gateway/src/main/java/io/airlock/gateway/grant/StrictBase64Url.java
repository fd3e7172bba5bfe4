package io.airlock.gateway.grant;

import java.util.Base64;

/**
 * Decodes one part of a compact JWS strictly: the base64url alphabet only, no padding, and the
 * one canonical spelling (no spare low bits). Both grants and staff tokens use it, so a token
 * has exactly one accepted spelling per signature.
 */
public final class StrictBase64Url {
  private StrictBase64Url() {}

  /** Why a part was refused, phrased to follow "<token> <part> ". */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String problem) {
      super(problem, null, false, false);
    }
  }

  /**
   * Decodes {@code token[from, to)}. An empty part is refused unless {@code emptyAllowed} (an
   * empty signature is let through so that "alg none" is refused by name a step later).
   */
  public static byte[] decode(String token, int from, int to, boolean emptyAllowed) throws Refused {
    if (from == to && !emptyAllowed) {
      throw new Refused("is empty");
    }
    for (int i = from; i < to; i++) {
      char c = token.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        throw new Refused("is not base64url (character at offset " + i + ")");
      }
    }
    String text = token.substring(from, to);
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new Refused("is not valid base64url");
    }
    if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(text)) {
      throw new Refused("is not canonical base64url");
    }
    return bytes;
  }
}
