package io.airlock.gateway.dataplane;

import io.airlock.gateway.attribution.WatermarkMac;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Step 11's {@code X-Airlock-Watermark}: who saw this response, under which ticket and grant,
 * when and on which node, and a MAC over all of it with the server's watermark key, so whatever
 * is shown can be attributed and a forged watermark is told apart ({@code airlock watermark
 * verify}).
 */
public final class Watermarks {
  private final String nodeId;
  private final Clock clock;
  private final WatermarkMac mac;

  public Watermarks(String nodeId, Clock clock, WatermarkMac mac) {
    this.nodeId = nodeId;
    this.clock = clock;
    this.mac = mac;
  }

  String stamp(Exchange ex) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    return mac.stamp(
        List.of(safe(ex.grant().agent()), safe(ex.grant().ticket()), safe(ex.grant().jti()), safe(nodeId), now.toString()));
  }

  /** Grant claims are verified but still free text: keep the header one clean, parseable line. */
  private static String safe(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length() && i < 128; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x21 && c < 0x7f && c != ';' && c != '=' && c != '|' ? c : '_');
    }
    return b.toString();
  }
}
