package io.airlock.gateway.audit;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.testing.TestConfigs;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A real gateway node in its own JVM, for tests that kill it: {@code GatewayChild <dir> <backend>}.
 * Prints {@code READY <dataPlanePort> <controlPlanePort>} once both planes listen.
 */
public final class GatewayChild {
  public static void main(String[] args) throws Exception {
    AirlockNode node = AirlockNode.start(TestConfigs.config(Path.of(args[0]), URI.create(args[1])), Clock.systemUTC());
    System.out.println("READY " + node.dataPlanePort() + " " + node.controlPlanePort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
