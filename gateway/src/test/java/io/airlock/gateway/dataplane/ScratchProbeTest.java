package io.airlock.gateway.dataplane;

import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.gateway.testing.Wire;
import io.airlock.policy.grant.Action;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchProbeTest {
  @TempDir Path dir;

  @Test
  void probe() throws Exception {
    try (GatewayHarness gw = GatewayHarness.start(dir)) {
      gw.backend.json(DataPlaneTest.RECORD);
      String write = gw.grant(Set.of(Action.READ, Action.WRITE), Set.of(), "c-0001");
      String read = gw.grant("c-0001");
      String smuggled = "GET /clients/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + read + "\r\n\r\n";
      String[] reqs = {
        "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + write + "\r\nContent-Type: application/json\r\nContent-Length: 13\r\nContent-Length: 2\r\n\r\n{\"note\":\"hi\"}" + smuggled,
        "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + write + "\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
        "POST /write/c-0001 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + write + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      };
      for (String r : reqs) {
        long t = System.nanoTime();
        String resp = io.airlock.gateway.testing.RawHttp.exchange(gw.dataPort(), r, 3000);
        System.out.println("=== " + r.substring(0, Math.min(60, r.length())).replace("\r\n", "|") + " -> " + resp + " in ms " + (System.nanoTime() - t) / 1e6 + " backend=" + gw.backend.seen().size());
      }
    }
  }
}
