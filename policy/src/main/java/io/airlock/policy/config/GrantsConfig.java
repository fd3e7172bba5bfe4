package io.airlock.policy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code grants.*} in airlock.yaml: how grants are signed and verified.
 *
 * @param issuer the {@code iss} of every grant this deployment issues and accepts
 * @param activeKid the key that signs new grants; must be one of {@code keys}
 * @param keys JWK files (EC P-256 private keys), active plus previous kids still verifying
 * @param generateDir when set (demo), a missing active key is generated into this directory
 * @param leeway clock leeway for exp/nbf, at most 30 s
 * @param cacheMaxEntries bound of the verified-grant cache
 * @param maxFailuresPerAddressPerMinute failed verifications one client address may cause per
 *     minute before it gets 429 without any signature work
 */
public record GrantsConfig(
    String issuer,
    String activeKid,
    List<KeyRef> keys,
    Optional<Path> generateDir,
    Duration leeway,
    long cacheMaxEntries,
    int maxFailuresPerAddressPerMinute) {

  public GrantsConfig {
    keys = List.copyOf(keys);
  }

  /** One signing key: its kid and the JWK file it lives in (resolved against the config dir). */
  public record KeyRef(String kid, Path file) {}
}
