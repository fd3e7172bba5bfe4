package io.airlock.gateway.identity;

/**
 * A bearer token did not prove who the caller is: the control plane answers 401. The message
 * says what was wrong and is safe to show the caller: attacker-supplied text in it is quoted,
 * capped and printable ASCII, and it never contains the token or key material.
 */
public final class Unauthenticated extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public Unauthenticated(String message) {
    // refusals are routine and their cause is in the message: no stack trace to fill
    super(message, null, false, false);
  }

  /** Quotes attacker-chosen text for a message: at most 64 characters, printable ASCII. */
  static String shown(Object value) {
    String s = String.valueOf(value);
    StringBuilder b = new StringBuilder("'");
    for (int i = 0; i < s.length() && i < 64; i++) {
      char ch = s.charAt(i);
      b.append(ch >= 0x20 && ch < 0x7f && ch != '\'' ? ch : '?');
    }
    return b.append(s.length() > 64 ? "...'" : "'").toString();
  }
}
