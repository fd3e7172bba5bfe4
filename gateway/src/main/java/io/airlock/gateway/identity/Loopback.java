package io.airlock.gateway.identity;

import java.util.Locale;

/** Host names that only this machine can reach, judged on the text: no DNS is consulted. */
final class Loopback {
  private Loopback() {}

  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost")
        || h.equals("::1")
        || h.equals("[::1]")
        || h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
  }
}
