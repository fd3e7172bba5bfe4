package io.airlock.gateway;

import io.airlock.gateway.store.Stores;
import io.airlock.policy.config.AirlockConfig;
import java.time.Clock;
import java.util.function.UnaryOperator;

/** Starts nodes with a test's own store in front of the real one (the seam is package-private). */
public final class TestNodes {
  private TestNodes() {}

  public static AirlockNode start(AirlockConfig config, Clock clock, UnaryOperator<Stores> wrapStores) throws Exception {
    return AirlockNode.start(config, clock, () -> {}, wrapStores);
  }
}
