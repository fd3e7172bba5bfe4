package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.store.memory.InMemorySignInStore;
import io.airlock.gateway.testing.Poll;
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
  void aFloodOfSignInsIsRefusedWhenFullAndEvictsNoneHeld() throws Exception {
    InMemorySignInStore small = new InMemorySignInStore(100);
    assertThat(await(small.putNew(Kind.PENDING_SIGN_IN, "real-user", "v", MINUTE))).isTrue();
    int refused = 0;
    for (int i = 0; i < 5_000; i++) {
      try {
        await(small.putNew(Kind.PENDING_SIGN_IN, "s-" + i, "v", MINUTE));
      } catch (Exception e) {
        assertThat(rootCause(e)).isInstanceOf(SignInStore.Full.class).hasMessageContaining("full");
        refused++;
      }
    }
    assertThat(refused).isEqualTo(5_000 - 99);
    assertThat(small.held(Kind.PENDING_SIGN_IN)).isEqualTo(100);
    // the record that was there first survived the flood, and is taken as usual
    assertThat(await(small.take(Kind.PENDING_SIGN_IN, "real-user"))).contains("v");
    // a place freed is a place for the next sign-in; the other kind was never full
    assertThat(await(small.putNew(Kind.PENDING_SIGN_IN, "next-user", "v", MINUTE))).isTrue();
    assertThat(await(small.putNew(Kind.HANDOFF, "h", "v", MINUTE))).isTrue();
    assertThat(InMemorySignInStore.MAX_PER_KIND).as("the limit the node runs with").isEqualTo(10_000);
  }

  @Test
  void expiredRecordsFreeTheirPlaces() throws Exception {
    InMemorySignInStore small = new InMemorySignInStore(3);
    for (int i = 0; i < 3; i++) {
      await(small.putNew(Kind.HANDOFF, "old-" + i, "v", java.time.Duration.ofMillis(100)));
    }
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    boolean stored = false;
    while (!stored && System.nanoTime() < deadline) {
      try {
        stored = await(small.putNew(Kind.HANDOFF, "new", "v", MINUTE));
      } catch (Exception e) {
        assertThat(rootCause(e)).isInstanceOf(SignInStore.Full.class);
        Poll.step();
      }
    }
    assertThat(stored).as("stored once the old records expired").isTrue();
  }

  private static Throwable rootCause(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e;
  }
}
