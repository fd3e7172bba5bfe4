package io.airlock.gateway.store;

import io.airlock.gateway.store.memory.InMemoryAccessRequestStore;
import io.airlock.policy.port.AccessRequestStore;
import java.time.Clock;

class InMemoryAccessRequestStoreTest extends AccessRequestStoreContract {
  @Override
  protected AccessRequestStore newStore() {
    return new InMemoryAccessRequestStore(Clock.systemUTC(), AFTER_EXPIRY);
  }
}
