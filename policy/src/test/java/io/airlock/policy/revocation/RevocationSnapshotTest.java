package io.airlock.policy.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Action;
import io.airlock.policy.grant.Grant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Data-plane steps 4 and 5 on a fixed instant: what kills a grant, and when the view is stale. */
class RevocationSnapshotTest {
  static final Instant T = Instant.parse("2026-11-26T10:00:00Z");
  static final Duration MAX = Duration.ofSeconds(1);

  static Grant grant(String jti, String agent, long epoch) {
    return new Grant(jti, "https://airlock.test", agent, "SUP-1", Set.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1",
        List.of("maria"), epoch, T, T, T.plus(Duration.ofMinutes(15)));
  }

  static Reason verdict(RevocationSnapshot s, Grant g, Instant now) {
    Denied d = catchThrowableOfType(Denied.class, () -> s.check(g, now, MAX));
    return d == null ? null : d.reason();
  }

  @Test
  void eachKindOfKillAndItsReason() {
    RevocationSnapshot s = new RevocationSnapshot(5, Set.of("jti-dead"), Set.of("mallory"), false, T);
    assertThat(verdict(s, grant("jti-ok", "alice", 5), T)).isNull();
    assertThat(verdict(s, grant("jti-dead", "alice", 5), T)).isEqualTo(Reason.GRANT_REVOKED);
    assertThat(verdict(s, grant("jti-ok", "alice", 4), T)).as("epoch below the kill-all").isEqualTo(Reason.GRANT_REVOKED);
    assertThat(verdict(s, grant("jti-ok", "mallory", 5), T)).isEqualTo(Reason.AGENT_SUSPENDED);
    RevocationSnapshot locked = new RevocationSnapshot(5, Set.of(), Set.of(), true, T);
    assertThat(verdict(locked, grant("jti-ok", "alice", 5), T)).isEqualTo(Reason.GRANT_REVOKED);
  }

  @Test
  void freshUpToMaxStalenessThenStale() {
    RevocationSnapshot s = RevocationSnapshot.empty(T);
    Grant g = grant("jti-ok", "alice", 0);
    assertThat(verdict(s, g, T.plus(MAX))).isNull();
    assertThat(verdict(s, g, T.plus(MAX).plusMillis(1))).isEqualTo(Reason.REVOCATION_STALE);
    assertThat(s.freshAt(T.plus(MAX), MAX)).isTrue();
    assertThat(s.freshAt(T.plus(MAX).plusMillis(1), MAX)).isFalse();
  }

  @Test
  void aConfirmationInTheFutureMeansTheClockWentBackAndCountsAsStale() {
    // confirmed at T, and now the clock reads earlier: the age would be negative, which says nothing
    RevocationSnapshot s = RevocationSnapshot.empty(T);
    Grant g = grant("jti-ok", "alice", 0);
    assertThat(s.freshAt(T.minusMillis(1), MAX)).isFalse();
    assertThat(s.freshAt(T.minus(Duration.ofHours(1)), MAX)).isFalse();
    Denied d = catchThrowableOfType(Denied.class, () -> s.check(g, T.minusSeconds(30), MAX));
    assertThat(d.reason()).isEqualTo(Reason.REVOCATION_STALE);
    assertThat(d.getMessage()).contains("clock went back");
  }

  @Test
  void aKillIsReportedEvenWhenStale() {
    RevocationSnapshot s = new RevocationSnapshot(0, Set.of("jti-dead"), Set.of(), false, T);
    assertThat(verdict(s, grant("jti-dead", "alice", 0), T.plusSeconds(60))).isEqualTo(Reason.GRANT_REVOKED);
    assertThat(verdict(s, grant("jti-dead", "alice", 0), T.minusSeconds(60))).isEqualTo(Reason.GRANT_REVOKED);
  }
}
