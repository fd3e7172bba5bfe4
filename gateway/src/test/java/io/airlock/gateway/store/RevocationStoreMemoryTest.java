package io.airlock.gateway.store;

import io.airlock.gateway.store.memory.InMemoryRevocationStore;
import io.airlock.policy.port.RevocationStore;
import java.time.Clock;
import java.time.Duration;

/** A single node: both "nodes" are the one in-process store. */
class RevocationStoreMemoryTest extends RevocationStoreContract {
  @Override
  protected RevocationStore[] newStores(Clock clock, Duration revocableAfterExpiry) {
    RevocationStore s = new InMemoryRevocationStore(clock, revocableAfterExpiry);
    return new RevocationStore[] {s, s};
  }
}
