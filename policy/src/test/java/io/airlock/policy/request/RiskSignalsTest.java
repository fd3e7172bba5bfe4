package io.airlock.policy.request;

import static io.airlock.policy.request.RequestFixtures.ALICE;
import static io.airlock.policy.request.RequestFixtures.BOB;
import static io.airlock.policy.request.RequestFixtures.MARIA;
import static io.airlock.policy.request.RequestFixtures.RULES;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.staff.Staff;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What approvers are shown beside the approve button, computed from the agent's own history. */
class RiskSignalsTest {
  private int n;

  AccessRequest at(Staff who, String when, String... unmask) {
    return RULES.create(
        new NewRequest("SUP-1234", List.of("c-1"), "customer cannot log in", null, List.of(unmask), null),
        who,
        "req-" + (++n),
        Instant.parse(when));
  }

  @Test
  void countsTodayAndDenialsOfThisAgentOnly() {
    List<AccessRequest> history = new ArrayList<>();
    AccessRequest old = at(ALICE, "2026-11-20T10:00:00Z");
    history.add(RequestFixtures.deny(RULES, old, MARIA, old.createdAt().plusSeconds(60)));
    AccessRequest weekOld = at(ALICE, "2026-11-10T10:00:00Z");
    history.add(RequestFixtures.deny(RULES, weekOld, MARIA, weekOld.createdAt().plusSeconds(60)));
    history.add(at(ALICE, "2026-11-26T08:00:00Z"));
    history.add(at(BOB, "2026-11-26T08:30:00Z"));
    AccessRequest now = at(ALICE, "2026-11-26T09:00:00Z", "email", "ssn");
    history.add(now);

    RiskSignals r = RiskSignals.of(now, history, 17, Instant.parse("2026-11-26T09:00:05Z"));
    assertThat(r.distinctClients24h()).isEqualTo(17);
    assertThat(r.requestsToday()).isEqualTo(2);
    assertThat(r.deniedThisWeek()).as("the one from 16 days ago is out of the week").isEqualTo(1);
    assertThat(r.unmask()).containsExactlyInAnyOrder(FieldClass.EMAIL, FieldClass.SSN);
  }

  @Test
  void usualHoursAreTheAgentsOwnOnceThereIsHistoryOfficeHoursBefore() {
    // no history: weekdays 07:00-19:00 UTC are usual (2026-11-26 is a Thursday, 11-28 a Saturday)
    assertThat(RiskSignals.of(at(ALICE, "2026-11-26T09:00:00Z"), List.of(), 0, Instant.parse("2026-11-26T09:00:00Z")).outsideUsualHours()).isFalse();
    assertThat(RiskSignals.of(at(ALICE, "2026-11-26T02:00:00Z"), List.of(), 0, Instant.parse("2026-11-26T02:00:00Z")).outsideUsualHours()).isTrue();
    assertThat(RiskSignals.of(at(ALICE, "2026-11-28T10:00:00Z"), List.of(), 0, Instant.parse("2026-11-28T10:00:00Z")).outsideUsualHours()).isTrue();

    // a night-shift agent: five earlier requests at 02:xx make 02:00 usual and 10:00 unusual
    List<AccessRequest> nights = new ArrayList<>();
    for (int d = 1; d <= RiskSignals.MIN_HISTORY; d++) {
      nights.add(at(ALICE, "2026-11-" + (10 + d) + "T02:15:00Z"));
    }
    AccessRequest night = at(ALICE, "2026-11-26T02:40:00Z");
    AccessRequest day = at(ALICE, "2026-11-26T10:00:00Z");
    assertThat(RiskSignals.of(night, nights, 0, night.createdAt()).outsideUsualHours()).isFalse();
    assertThat(RiskSignals.of(day, nights, 0, day.createdAt()).outsideUsualHours()).isTrue();
    // history older than 30 days does not count
    assertThat(RiskSignals.of(at(ALICE, "2027-01-20T02:40:00Z"), nights, 0, Instant.parse("2027-01-20T02:40:00Z")).outsideUsualHours()).isTrue();
  }

  @Test
  void aTicketMatchesOnlyWhenOpenAssignedAndNamingEveryClient() {
    Ticket t = new Ticket("SUP-1", "Open", "Alice", Set.of("c-1", "c-2"));
    assertThat(t.mismatch("alice", List.of("c-1", "c-2"))).isEmpty();
    assertThat(t.mismatch("bob", List.of("c-1"))).contains("ticket SUP-1 is not assigned to bob");
    assertThat(t.mismatch("alice", List.of("c-1", "c-3", "c-4"))).contains("ticket SUP-1 does not name client(s) c-3, c-4");
    assertThat(new Ticket("SUP-1", "closed", "alice", Set.of("c-1")).mismatch("alice", List.of("c-1")))
        .isEqualTo(Optional.of("ticket SUP-1 is closed, not open"));
  }
}
