package io.airlock.policy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.policy.config.SigningSchedule.Activation;
import io.airlock.policy.config.SigningSchedule.KeyState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which key signs when, and when a retired key may go; instants fixed, no clock. */
class SigningScheduleTest {
  private static final Instant T1 = Instant.parse("2026-12-01T09:00:00Z");
  private static final Instant T2 = Instant.parse("2027-03-01T09:00:00Z");
  // given out of order: the schedule sorts by start
  private final SigningSchedule schedule = new SigningSchedule(List.of(
      new Activation("k3", T2), new Activation("k1", SigningSchedule.ALWAYS), new Activation("k2", T1)));

  @Test
  void the_key_with_the_latest_start_at_or_before_t_signs() {
    assertThat(schedule.signingKidAt(Instant.parse("2000-01-01T00:00:00Z"))).contains("k1");
    assertThat(schedule.signingKidAt(T1.minusNanos(1))).contains("k1");
    assertThat(schedule.signingKidAt(T1)).contains("k2");
    assertThat(schedule.signingKidAt(T2)).contains("k3");
    assertThat(new SigningSchedule(List.of(new Activation("k2", T1))).signingKidAt(T1.minusSeconds(1))).isEmpty();
  }

  @Test
  void states_follow_the_clock() {
    Instant between = T1.plusSeconds(60);
    assertThat(schedule.stateAt("k1", between)).isEqualTo(KeyState.VERIFYING_ONLY);
    assertThat(schedule.stateAt("k2", between)).isEqualTo(KeyState.ACTIVE);
    assertThat(schedule.stateAt("k3", between)).isEqualTo(KeyState.SCHEDULED);
    assertThat(schedule.stateAt("not-scheduled", between)).isEqualTo(KeyState.VERIFYING_ONLY);
    assertThat(schedule.signsAtOrAfter("k3", between)).isTrue();
    assertThat(schedule.signsAtOrAfter("k1", between)).isFalse();
  }

  @Test
  void a_retired_key_may_go_once_the_longest_grant_its_last_signature_could_carry_has_expired() {
    Duration maxTtl = Duration.ofMinutes(60);
    Duration leeway = Duration.ofSeconds(30);
    assertThat(schedule.handover("k1")).contains(T1);
    assertThat(schedule.lastGrantExpires("k1", maxTtl, leeway)).contains(T1.plus(maxTtl).plus(leeway));
    assertThat(schedule.lastGrantExpires("k2", maxTtl, leeway)).contains(T2.plus(maxTtl).plus(leeway));
    assertThat(schedule.lastGrantExpires("k3", maxTtl, leeway)).as("signs until replaced").isEmpty();
    assertThat(schedule.lastGrantExpires("not-scheduled", maxTtl, leeway)).isEmpty();
  }

  @Test
  void each_kid_signs_in_one_window_that_the_leeway_widens_on_both_sides() {
    Duration leeway = Duration.ofSeconds(30);
    assertThat(schedule.windows("k1")).containsExactly(new SigningSchedule.Window(SigningSchedule.ALWAYS, Optional.of(T1)));
    assertThat(schedule.windows("k3")).containsExactly(new SigningSchedule.Window(T2, Optional.empty()));
    assertThat(schedule.windows("not-scheduled")).isEmpty();

    SigningSchedule.Window k2 = schedule.windows("k2").get(0);
    assertThat(k2.admits(T1.minus(leeway), leeway)).isTrue();
    assertThat(k2.admits(T1.minus(leeway).minusSeconds(1), leeway)).isFalse();
    assertThat(k2.admits(T2.plus(leeway).minusSeconds(1), leeway)).isTrue();
    assertThat(k2.admits(T2.plus(leeway), leeway)).as("until is exclusive").isFalse();
    assertThat(k2.admits(T2.minusSeconds(1), Duration.ZERO)).isTrue();
    assertThat(k2.admits(T2, Duration.ZERO)).isFalse();
    assertThat(schedule.windows("k1").get(0).admits(Instant.parse("1970-01-01T00:00:00Z"), leeway))
        .as("activeKid has no start to overflow").isTrue();
    assertThat(k2.toString()).isEqualTo("from " + T1 + " until " + T2);
    assertThat(schedule.windows("k1").get(0).toString()).isEqualTo("from the beginning (activeKid) until " + T1);
  }

  @Test
  void a_start_between_two_seconds_is_refused() {
    assertThatThrownBy(() -> new Activation("k2", T1.plusMillis(500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k2").hasMessageContaining("whole seconds");
  }
}
