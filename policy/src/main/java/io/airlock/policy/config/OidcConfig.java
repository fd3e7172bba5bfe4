package io.airlock.policy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
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
 * @param signIn browser sign-in through the provider; absent, the control plane only accepts
 *     tokens that staff obtained some other way
 */
public record OidcConfig(
    String issuer,
    String audience,
    URI jwksUri,
    List<String> algorithms,
    String userClaim,
    String rolesClaim,
    String teamsClaim,
    Duration jwksRefresh,
    Optional<SignIn> signIn) {

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
    Objects.requireNonNull(signIn, "signIn");
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

  /** Without browser sign-in: tokens come from elsewhere (tools, tests). */
  public OidcConfig(
      String issuer,
      String audience,
      URI jwksUri,
      List<String> algorithms,
      String userClaim,
      String rolesClaim,
      String teamsClaim,
      Duration jwksRefresh) {
    this(issuer, audience, jwksUri, algorithms, userClaim, rolesClaim, teamsClaim, jwksRefresh, Optional.empty());
  }

  /** The discovery document OpenID Connect places under every issuer. */
  public URI discoveryUri() {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return URI.create(base + "/.well-known/openid-configuration");
  }

  /**
   * {@code identity.oidc.*} for signing staff in through the browser: the authorization-code
   * flow with PKCE, run by the control plane (the browser never sees the code, the verifier or a
   * client secret). The client id is the configured {@code audience}: the ID token it yields
   * must pass the same check as every other staff token, and its {@code aud} is the client id.
   *
   * @param redirectUri where the provider sends the browser back: the control plane's own {@code
   *     /auth/oidc/callback}, exactly as registered at the provider
   * @param authorizationEndpoint and {@code tokenEndpoint}: both given, or both empty to read
   *     them from the issuer's discovery document
   * @param clientSecretFile a file holding the client secret, or
   * @param clientSecretEnv the name of an environment variable holding it; neither means a
   *     public client (PKCE alone); never both
   * @param scopes requested scopes; always include {@code openid}
   */
  public record SignIn(
      URI redirectUri,
      Optional<URI> authorizationEndpoint,
      Optional<URI> tokenEndpoint,
      Optional<SecretSource> clientSecret,
      List<String> scopes) {
    public static final String CALLBACK_PATH = "/auth/oidc/callback";
    public static final List<String> DEFAULT_SCOPES = List.of("openid");

    public SignIn {
      Objects.requireNonNull(redirectUri, "redirectUri");
      Objects.requireNonNull(authorizationEndpoint, "authorizationEndpoint");
      Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
      Objects.requireNonNull(clientSecret, "clientSecret");
      scopes = List.copyOf(scopes);
      if (authorizationEndpoint.isPresent() != tokenEndpoint.isPresent()) {
        throw new IllegalArgumentException(
            "identity.oidc: authorizationEndpoint and tokenEndpoint go together (or neither, for discovery)");
      }
      if (!scopes.contains("openid")) {
        throw new IllegalArgumentException("identity.oidc.scopes must contain openid");
      }
      if (redirectUri.getPath() == null || !redirectUri.getPath().endsWith(CALLBACK_PATH)) {
        throw new IllegalArgumentException("identity.oidc.redirectUri must end with " + CALLBACK_PATH);
      }
    }

    /** Where the UI lives: the redirect URI without {@code auth/oidc/callback}. */
    public URI uiBase() {
      String path = redirectUri.getPath();
      return redirectUri.resolve(path.substring(0, path.length() - CALLBACK_PATH.length()) + "/");
    }
  }

  /** Whether the algorithm is HMAC or {@code none}: the two families that are never accepted. */
  public static boolean isForbidden(String alg) {
    String a = alg.toUpperCase(Locale.ROOT);
    return a.equals("NONE") || a.startsWith("HS");
  }
}
