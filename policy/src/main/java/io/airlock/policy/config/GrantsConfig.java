package io.airlock.policy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code grants.*} in airlock.yaml: how grants are signed and verified.
 *
 * @param issuer the {@code iss} of every grant this deployment issues and accepts
 * @param activeKid the key that signs from the beginning of time, until the first {@code
 *     activeFrom} of another key (see {@link SigningSchedule}); empty when every signing key has
 *     its {@code activeFrom}
 * @param keys every key that verifies (and is published in JWKS): the one signing now, the ones
 *     scheduled to sign later and previous ones whose grants have not all expired yet
 * @param generateDir when set (demo), a missing signing key is generated into this directory
 * @param leeway clock leeway for exp/nbf/iat, and how far a grant's iat may lie outside its kid's
 *     signing window; at most 30 s
 * @param cacheMaxEntries bound of the verified-grant cache
 * @param maxFailuresPerAddressPerMinute failed verifications one client address may cause per
 *     minute before it gets 429 without any signature work
 */
public record GrantsConfig(
    String issuer,
    Optional<String> activeKid,
    List<KeyRef> keys,
    Optional<Path> generateDir,
    Duration leeway,
    long cacheMaxEntries,
    int maxFailuresPerAddressPerMinute) {

  public GrantsConfig {
    Objects.requireNonNull(activeKid, "activeKid");
    keys = List.copyOf(keys);
  }

  /** One key signing from the beginning of time ({@code activeKid}), the form without a schedule. */
  public GrantsConfig(
      String issuer,
      String activeKid,
      List<KeyRef> keys,
      Optional<Path> generateDir,
      Duration leeway,
      long cacheMaxEntries,
      int maxFailuresPerAddressPerMinute) {
    this(issuer, Optional.of(activeKid), keys, generateDir, leeway, cacheMaxEntries, maxFailuresPerAddressPerMinute);
  }

  /** How far apart node clocks may be, on top of the leeway, when deciding a grant is over everywhere. */
  public static final Duration CLOCK_SKEW_MARGIN = Duration.ofMinutes(1);

  /**
   * How long after its {@code exp} a grant must still be revocable and a revoked grant remembered:
   * a node accepts it until exp + {@code leeway} by its own clock, which may lag the clock of the
   * node that prunes.
   */
  public Duration revocableAfterExpiry() {
    return revocableAfterExpiry(leeway);
  }

  /** {@link #revocableAfterExpiry()} for a given leeway. */
  public static Duration revocableAfterExpiry(Duration leeway) {
    return leeway.plus(CLOCK_SKEW_MARGIN);
  }

  /** Which key signs when. */
  public SigningSchedule schedule() {
    return SigningSchedule.of(this);
  }

  /**
   * One key: its kid, where its JWK comes from and, when it is scheduled, the instant it starts
   * signing.
   */
  public record KeyRef(String kid, SecretSource source, Optional<Instant> activeFrom) {
    public KeyRef {
      Objects.requireNonNull(kid, "kid");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(activeFrom, "activeFrom");
    }

    /** A key in a file, without {@code activeFrom}. */
    public KeyRef(String kid, Path file) {
      this(kid, new SecretSource.FromFile(file), Optional.empty());
    }
  }
}
