package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.store.memory.InMemorySignInStore;
import io.airlock.policy.port.SignInStore;
import io.airlock.policy.port.SignInStore.Kind;
import org.junit.jupiter.api.Test;

class InMemorySignInStoreTest extends SignInStoreContract {
  @Override
  protected SignInStore newStore() {
    return new InMemorySignInStore();
  }

  @Override
  protected SignInStore sameState() {
    return store;
  }

  @Test
  void aFloodOfSignInsIsBoundedInsteadOfGrowingTheHeap() throws Exception {
    InMemorySignInStore small = new InMemorySignInStore(100);
    for (int i = 0; i < 5_000; i++) {
      assertThat(await(small.putNew(Kind.PENDING_SIGN_IN, "s-" + i, "v", MINUTE))).isTrue();
    }
    int held = 0;
    for (int i = 0; i < 5_000; i++) {
      held += await(small.peek(Kind.PENDING_SIGN_IN, "s-" + i)).isPresent() ? 1 : 0;
    }
    assertThat(held).isBetween(1, 100);
    assertThat(InMemorySignInStore.MAX_PER_KIND).as("the limit the node runs with").isEqualTo(10_000);
  }
}
