package io.airlock.gateway.dataplane;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Step 11's {@code X-Airlock-Watermark}: who saw this response, under which ticket and grant,
 * when and on which node, so whatever is shown can be attributed.
 */
public final class Watermarks {
  private final String nodeId;
  private final Clock clock;

  public Watermarks(String nodeId, Clock clock) {
    this.nodeId = nodeId;
    this.clock = clock;
  }

  String stamp(Exchange ex) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    return "agent=" + safe(ex.grant().agent())
        + "; ticket=" + safe(ex.grant().ticket())
        + "; grant=" + safe(ex.grant().jti())
        + "; node=" + safe(nodeId)
        + "; at=" + now;
  }

  /** Grant claims are verified but still free text: keep the header one clean line. */
  private static String safe(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length() && i < 128; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x21 && c < 0x7f && c != ';' && c != '=' ? c : '_');
    }
    return b.toString();
  }
}
