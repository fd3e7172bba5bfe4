package io.airlock.gateway.store;

import io.airlock.gateway.store.memory.InMemoryEventBus;
import io.airlock.policy.port.EventBus;

class InMemoryEventBusTest extends EventBusContract {
  private final InMemoryEventBus bus = new InMemoryEventBus();

  @Override
  protected EventBus node(int index) {
    return bus;
  }
}
