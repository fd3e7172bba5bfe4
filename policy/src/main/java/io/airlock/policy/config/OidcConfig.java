package io.airlock.policy.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * {@code identity.oidc.*}: which of the company identity provider's tokens the control plane
 * accepts as staff, and where their roles, teams and user id are read from.
 *
 * @param issuer the exact {@code iss} of the provider's tokens
 * @param audience a value the token's {@code aud} must contain (the client id Airlock is
 *     registered under)
 * @param jwksUri where the provider publishes its signing keys
 * @param algorithms the JWS algorithms accepted; asymmetric only: {@code none} and HMAC are never
 *     accepted (HS256 "signed" with a public key is the classic algorithm-confusion forgery)
 * @param userClaim the claim naming the person, normalised with {@code StaffId}
 * @param rolesClaim the claim listing roles ({@code agent}, {@code manager}, {@code security});
 *     other values are ignored
 * @param teamsClaim the claim listing teams
 * @param jwksRefresh how often the key set is fetched again even when no unknown kid forces it
 */
public record OidcConfig(
    String issuer,
    String audience,
    URI jwksUri,
    List<String> algorithms,
    String userClaim,
    String rolesClaim,
    String teamsClaim,
    Duration jwksRefresh) {

  public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256");
  public static final List<String> SUPPORTED_ALGORITHMS =
      List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");
  public static final String DEFAULT_USER_CLAIM = "sub";
  public static final String DEFAULT_ROLES_CLAIM = "roles";
  public static final String DEFAULT_TEAMS_CLAIM = "teams";
  public static final Duration DEFAULT_JWKS_REFRESH = Duration.ofMinutes(10);

  public OidcConfig {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(jwksUri, "jwksUri");
    Objects.requireNonNull(userClaim, "userClaim");
    Objects.requireNonNull(rolesClaim, "rolesClaim");
    Objects.requireNonNull(teamsClaim, "teamsClaim");
    Objects.requireNonNull(jwksRefresh, "jwksRefresh");
    algorithms = List.copyOf(algorithms);
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("identity.oidc.algorithms may not be empty");
    }
    for (String a : algorithms) {
      if (!SUPPORTED_ALGORITHMS.contains(a)) {
        throw new IllegalArgumentException(
            "identity.oidc.algorithms: '" + a + "' is not accepted (allowed: "
                + String.join(", ", SUPPORTED_ALGORITHMS) + ")");
      }
    }
    if (jwksRefresh.isNegative() || jwksRefresh.isZero()) {
      throw new IllegalArgumentException("identity.oidc.jwksRefresh must be positive");
    }
    if (Set.copyOf(algorithms).size() != algorithms.size()) {
      throw new IllegalArgumentException("identity.oidc.algorithms lists an algorithm twice");
    }
  }

  /** Whether the algorithm is HMAC or {@code none}: the two families that are never accepted. */
  public static boolean isForbidden(String alg) {
    String a = alg.toUpperCase(Locale.ROOT);
    return a.equals("NONE") || a.startsWith("HS");
  }
}
