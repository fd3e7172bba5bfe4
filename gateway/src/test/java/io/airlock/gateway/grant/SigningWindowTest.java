package io.airlock.gateway.grant;

import static io.airlock.gateway.grant.GrantFixtures.ISSUER;
import static io.airlock.gateway.grant.GrantFixtures.K1;
import static io.airlock.gateway.grant.GrantFixtures.K2;
import static io.airlock.gateway.grant.GrantFixtures.LEEWAY;
import static io.airlock.gateway.grant.GrantFixtures.claims;
import static io.airlock.gateway.grant.GrantFixtures.denied;
import static io.airlock.gateway.grant.GrantFixtures.header;
import static io.airlock.gateway.grant.GrantFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.SecretSource;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Action;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A kid's grant verifies only if its own {@code iat} lies in that kid's signing window (widened
 * by {@code grants.leeway}): a pre-staged key cannot mint grants dated before its {@code
 * activeFrom}, nor a retired one grants dated after its successor took over. The check reads the
 * grant's iat and the configured instants, never the verifying node's clock, so skew between
 * nodes does not matter. Tokens are built with the real private keys, as a thief would.
 */
class SigningWindowTest {
  /** k1 signs until SWITCH, k2 from SWITCH on; k0 is configured but outside the schedule. */
  private static final Instant SWITCH = Instant.parse("2030-01-01T09:00:00Z");
  private static final ECKey K0 = GrantFixtures.generate("k0");

  private static GrantsConfig.KeyRef key(ECKey k, Optional<Instant> activeFrom) {
    return new GrantsConfig.KeyRef(k.getKeyID(), new SecretSource.FromEnv("KEY_" + k.getKeyID(), k.toJSONString()), activeFrom);
  }

  private static final GrantsConfig CONFIG = new GrantsConfig(ISSUER, Optional.of("k1"),
      List.of(key(K1, Optional.empty()), key(K2, Optional.of(SWITCH)), key(K0, Optional.empty())),
      Optional.empty(), LEEWAY, 100, 10);

  /** The verifier a node builds from {@code grants.*}, reading its own clock at {@code now}. */
  private static GrantVerifier nodeAt(Instant now) {
    SigningKeys keys = SigningKeys.load(CONFIG, SWITCH.minus(Duration.ofDays(1)));
    return GrantVerifier.create(CONFIG, keys, Clock.fixed(now, ZoneOffset.UTC), Optional.empty());
  }

  private static String grant(ECKey key, Instant iat) {
    return token(header(key.getKeyID()), claims(iat), key);
  }

  @Test
  void a_pre_staged_key_cannot_mint_grants_dated_before_its_activeFrom() {
    Instant early = SWITCH.minus(LEEWAY).minusSeconds(1);
    denied(nodeAt(early), grant(K2, early), Reason.GRANT_INVALID,
        "grant kid k2 did not sign at iat " + early, "signs from " + SWITCH, "grants.leeway 30 s");
    denied(nodeAt(SWITCH.minus(Duration.ofHours(6))), grant(K2, SWITCH.minus(Duration.ofHours(6))), Reason.GRANT_INVALID,
        "did not sign");

    Instant inside = SWITCH.plus(Duration.ofMinutes(5));
    assertThat(nodeAt(inside).verify(grant(K2, inside)).issuedAt()).isEqualTo(inside);
    assertThat(nodeAt(SWITCH.minus(LEEWAY)).verify(grant(K2, SWITCH.minus(LEEWAY))).issuedAt())
        .as("the first instant the leeway allows").isEqualTo(SWITCH.minus(LEEWAY));
  }

  @Test
  void a_retired_key_cannot_mint_grants_dated_after_its_successor_took_over() {
    Instant late = SWITCH.plus(LEEWAY);
    denied(nodeAt(late), grant(K1, late), Reason.GRANT_INVALID,
        "grant kid k1 did not sign at iat " + late, "signs from the beginning (activeKid) until " + SWITCH);
    Instant muchLater = SWITCH.plus(Duration.ofDays(30));
    denied(nodeAt(muchLater), grant(K1, muchLater), Reason.GRANT_INVALID, "did not sign");

    Instant lastSecond = SWITCH.plus(LEEWAY).minusSeconds(1);
    assertThat(nodeAt(lastSecond).verify(grant(K1, lastSecond)).issuedAt()).isEqualTo(lastSecond);
    Instant before = SWITCH.minus(Duration.ofMinutes(10));
    assertThat(nodeAt(SWITCH.plus(Duration.ofMinutes(3))).verify(grant(K1, before)).issuedAt())
        .as("grants k1 signed in its turn keep verifying after the switch").isEqualTo(before);
  }

  @Test
  void grants_around_the_switch_verify_on_a_node_whose_clock_is_behind_or_ahead() {
    // the signing node's clock is right; the verifying one is 10 s behind, then 10 s ahead
    Clock signerClock = Clock.fixed(SWITCH.plusSeconds(2), ZoneOffset.UTC);
    SigningKeys keys = SigningKeys.load(CONFIG, SWITCH.minus(Duration.ofDays(1)));
    GrantSigner signer = new GrantSigner(keys, ISSUER, signerClock);
    String byK2 = signer.sign(claimsFor()).token();
    assertThat(kid(byK2)).isEqualTo("k2");
    assertThat(nodeAt(SWITCH.minusSeconds(8)).verify(byK2).issuedAt()).isEqualTo(SWITCH.plusSeconds(2));

    String byK1 = new GrantSigner(keys, ISSUER, Clock.fixed(SWITCH.minusSeconds(1), ZoneOffset.UTC)).sign(claimsFor()).token();
    assertThat(kid(byK1)).isEqualTo("k1");
    assertThat(nodeAt(SWITCH.plusSeconds(9)).verify(byK1).issuedAt()).isEqualTo(SWITCH.minusSeconds(1));

    // a signer whose config or clock disagreed by less than the leeway: still accepted, wherever the verifier's clock is
    assertThat(nodeAt(SWITCH.minusSeconds(25)).verify(grant(K2, SWITCH.minusSeconds(20))).issuedAt())
        .isEqualTo(SWITCH.minusSeconds(20));
    assertThat(nodeAt(SWITCH.plusSeconds(15)).verify(grant(K1, SWITCH.plusSeconds(20))).issuedAt())
        .isEqualTo(SWITCH.plusSeconds(20));
  }

  @Test
  void the_signer_picks_the_kid_the_schedule_names_at_the_iat_it_writes_so_a_verifier_without_leeway_agrees() {
    GrantsConfig noLeeway = new GrantsConfig(ISSUER, Optional.of("k1"), CONFIG.keys(), Optional.empty(), Duration.ZERO, 100, 10);
    SigningKeys keys = SigningKeys.load(noLeeway, SWITCH.minus(Duration.ofDays(1)));
    for (Instant t : List.of(SWITCH.minusMillis(1), SWITCH, SWITCH.plusMillis(999), SWITCH.plusSeconds(1))) {
      String token = new GrantSigner(keys, ISSUER, Clock.fixed(t, ZoneOffset.UTC)).sign(claimsFor()).token();
      GrantVerifier verifier = GrantVerifier.create(noLeeway, keys, Clock.fixed(t.plusSeconds(1), ZoneOffset.UTC), Optional.empty());
      assertThat(verifier.verify(token).issuedAt()).as("signed at " + t).isEqualTo(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      assertThat(kid(token)).as("signed at " + t).isEqualTo(t.isBefore(SWITCH) ? "k1" : "k2");
    }
  }

  @Test
  void a_kid_outside_the_schedule_has_no_window_and_verifies_grants_of_any_iat() {
    for (Instant iat : List.of(SWITCH.minus(Duration.ofDays(30)), SWITCH, SWITCH.plus(Duration.ofDays(30)))) {
      assertThat(nodeAt(iat).verify(grant(K0, iat)).issuedAt()).isEqualTo(iat);
    }
  }

  @Test
  void a_grant_forged_without_the_key_is_refused_for_its_signature_not_its_date() {
    Instant early = SWITCH.minus(Duration.ofHours(1));
    // k1's key under k2's kid: the signature check comes first and says nothing about the schedule
    denied(nodeAt(early), token(header("k2"), claims(early), K1), Reason.GRANT_INVALID,
        "grant signature does not verify with kid 'k2'");
  }

  @Test
  void a_sub_second_activeFrom_cannot_reach_the_signer() {
    Instant fractional = SWITCH.plusMillis(500);
    GrantsConfig config = new GrantsConfig(ISSUER, Optional.empty(), List.of(key(K2, Optional.of(fractional))),
        Optional.empty(), LEEWAY, 100, 10);
    // before whole seconds were required, a node started at SWITCH+0.7 s had k2 active but the
    // signer, which dates grants in whole seconds, found no key at SWITCH and failed until SWITCH+1 s
    assertThatThrownBy(() -> new GrantSigner(SigningKeys.load(config, SWITCH.plusMillis(700)), ISSUER,
            Clock.fixed(SWITCH.plusMillis(700), ZoneOffset.UTC)).sign(claimsFor()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k2")
        .hasMessageContaining("whole seconds");
  }

  private static GrantClaims claimsFor() {
    return new GrantClaims("alice", "SUP-1", List.of("c-1"), Set.of(Action.READ), Set.of(), null, List.of(), 0,
        Duration.ofMinutes(15));
  }

  private static String kid(String token) {
    try {
      return SignedJWT.parse(token).getHeader().getKeyID();
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
  }
}
