package io.airlock.gateway.dataplane;

import io.airlock.gateway.testing.GatewayHarness;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real gateway and recording backend per test class, a read grant for {@code c-0001}, and a
 * backend that has seen nothing when each test starts. Subclasses add what they serve.
 */
abstract class OneGateway {
  @TempDir static Path dir;
  static GatewayHarness gw;
  static String grant;

  @BeforeAll
  static void startGateway() throws Exception {
    gw = GatewayHarness.start(dir);
    grant = gw.grant("c-0001");
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @BeforeEach
  void forgetWhatTheBackendSaw() {
    gw.backend.seen().clear();
  }
}
