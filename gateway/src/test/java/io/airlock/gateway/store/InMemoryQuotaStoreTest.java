package io.airlock.gateway.store;

import io.airlock.gateway.store.memory.InMemoryQuotaStore;
import io.airlock.policy.port.QuotaStore;

class InMemoryQuotaStoreTest extends QuotaStoreContract {
  @Override
  protected QuotaStore newStore() {
    return new InMemoryQuotaStore();
  }

  @Override
  protected QuotaStore sameState() {
    return store;
  }
}
