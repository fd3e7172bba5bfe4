package io.airlock.policy.config;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which grant signing key signs when: {@code grants.activeKid} from the beginning of time, then
 * each key with an {@code activeFrom} from that instant on. The key signing at {@code t} is the
 * one with the latest start at or before {@code t}. Every configured key verifies, but a key in
 * the schedule only the grants dated inside its {@link Window} (so a key published ahead of its
 * turn, or kept after it, cannot mint grants that verify); a key outside the schedule has no
 * window and verifies grants of any date.
 *
 * <p>Starts are whole seconds, as a grant's {@code iat} is: the signer picks the kid the schedule
 * names at the iat it writes, and a start between two seconds would leave the rest of that second
 * to the previous key (whose private part may be gone) or to no key at all.
 *
 * <p>The binder refuses what would make this ambiguous (two keys starting at the same instant,
 * {@code activeKid} naming a key that also has {@code activeFrom}) or empty now (no {@code
 * activeKid} and every {@code activeFrom} in the future).
 *
 * @param activations sorted by start, at most one per instant
 */
public record SigningSchedule(List<Activation> activations) {
  /** {@code grants.activeKid}: signs from before any grant was issued. */
  public static final Instant ALWAYS = Instant.MIN;

  /** A key starts signing at {@code from} ({@link #ALWAYS} for {@code activeKid}). */
  public record Activation(String kid, Instant from) {
    public Activation {
      Objects.requireNonNull(kid, "kid");
      if (from.getNano() != 0) {
        throw new IllegalArgumentException("activeFrom of kid '" + kid + "' is " + from
            + ": signing starts are whole seconds, like a grant's iat");
      }
    }
  }

  /**
   * When one key signs: from {@code from} (inclusive, {@link #ALWAYS} for {@code activeKid})
   * until {@code until} (exclusive; empty while it is the last in the schedule).
   */
  public record Window(Instant from, Optional<Instant> until) {
    /**
     * Whether this key may have signed a grant dated {@code iat}, give or take {@code leeway}: the
     * signer dates a grant with the instant it chose the key for, so a grant outside is one a
     * node with this schedule did not sign.
     */
    public boolean admits(Instant iat, Duration leeway) {
      // iat ± leeway rather than from/until ± leeway: ALWAYS minus anything overflows
      boolean started = from.equals(ALWAYS) || !iat.plus(leeway).isBefore(from);
      return started && until.map(u -> iat.minus(leeway).isBefore(u)).orElse(true);
    }

    @Override
    public String toString() {
      return (from.equals(ALWAYS) ? "from the beginning (activeKid)" : "from " + from)
          + until.map(u -> " until " + u).orElse(" on");
    }
  }

  /** What a configured key does at a given instant. */
  public enum KeyState {
    /** signs new grants (and verifies) */
    ACTIVE,
    /** published in JWKS and verifies, starts signing at its {@code activeFrom} */
    SCHEDULED,
    /** verifies grants it signed earlier; signs nothing any more (or never did) */
    VERIFYING_ONLY
  }

  public SigningSchedule {
    activations = activations.stream().sorted(Comparator.comparing(Activation::from)).toList();
  }

  static SigningSchedule of(GrantsConfig g) {
    List<Activation> a = new ArrayList<>();
    g.activeKid().ifPresent(kid -> a.add(new Activation(kid, ALWAYS)));
    for (GrantsConfig.KeyRef k : g.keys()) {
      k.activeFrom().ifPresent(from -> a.add(new Activation(k.kid(), from)));
    }
    return new SigningSchedule(a);
  }

  /** The kid that signs grants issued at {@code t}; empty when no key is active yet. */
  public Optional<String> signingKidAt(Instant t) {
    String kid = null;
    for (Activation a : activations) {
      if (a.from().isAfter(t)) {
        break;
      }
      kid = a.kid();
    }
    return Optional.ofNullable(kid);
  }

  public KeyState stateAt(String kid, Instant t) {
    if (signingKidAt(t).filter(kid::equals).isPresent()) {
      return KeyState.ACTIVE;
    }
    Optional<Instant> start = start(kid);
    return start.isPresent() && start.get().isAfter(t) ? KeyState.SCHEDULED : KeyState.VERIFYING_ONLY;
  }

  /** When {@code kid} signs; empty for a kid outside the schedule. */
  public List<Window> windows(String kid) {
    List<Window> w = new ArrayList<>();
    for (int i = 0; i < activations.size(); i++) {
      if (activations.get(i).kid().equals(kid)) {
        Optional<Instant> until = i + 1 < activations.size() ? Optional.of(activations.get(i + 1).from()) : Optional.empty();
        w.add(new Window(activations.get(i).from(), until));
      }
    }
    return w;
  }

  /** When {@code kid} starts signing: {@link #ALWAYS} for activeKid, empty when it never signs. */
  public Optional<Instant> start(String kid) {
    return activations.stream().filter(a -> a.kid().equals(kid)).map(Activation::from).findFirst();
  }

  /** When the next key takes over from {@code kid}: empty while it is the last in the schedule. */
  public Optional<Instant> handover(String kid) {
    for (int i = 0; i < activations.size() - 1; i++) {
      if (activations.get(i).kid().equals(kid)) {
        return Optional.of(activations.get(i + 1).from());
      }
    }
    return Optional.empty();
  }

  /**
   * When the last grant {@code kid} could have signed stops verifying: its handover plus the
   * longest grant lifetime plus the verification leeway. After that instant the kid can be
   * removed from the config without refusing any live grant. Empty while it signs or will sign,
   * and for kids outside the schedule (the config no longer says when they stopped signing).
   */
  public Optional<Instant> lastGrantExpires(String kid, Duration maxGrantTtl, Duration leeway) {
    return handover(kid).map(h -> h.plus(maxGrantTtl).plus(leeway));
  }

  /** Whether {@code kid} signs at {@code t} or later: such a key needs its private part. */
  public boolean signsAtOrAfter(String kid, Instant t) {
    KeyState s = stateAt(kid, t);
    return s == KeyState.ACTIVE || s == KeyState.SCHEDULED;
  }
}
