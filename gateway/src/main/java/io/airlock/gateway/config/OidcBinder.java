package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.config.OidcConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Binds {@code identity.oidc} in airlock.yaml. */
final class OidcBinder {
  private OidcBinder() {}

  static final String[] KEYS = {
    "issuer", "audience", "jwksUri", "algorithms", "userClaim", "rolesClaim", "teamsClaim",
    "jwksRefresh"
  };

  // an unknown kid may force a refetch at most this often, so a shorter timer buys nothing
  static final Duration MIN_JWKS_REFRESH = Duration.ofSeconds(30);
  static final Duration MAX_JWKS_REFRESH = Duration.ofHours(24);

  /**
   * @param oidc the {@code identity.oidc} section, created with {@link #KEYS}
   * @return the settings, or null when something was reported
   */
  static OidcConfig bind(Section oidc) {
    int before = oidc.problems().count();

    String issuer = oidc.string("issuer", "the identity provider's issuer URL, exactly as in its tokens' iss");
    if (issuer != null) {
      Values.httpUrlProblem(issuer).ifPresent(p -> oidc.report(oidc.key("issuer"), p));
    }
    String audience =
        oidc.string("audience", "the client id Airlock is registered under at the identity provider");

    URI jwksUri = null;
    String jwksText = oidc.string("jwksUri", "the identity provider's JWKS URL (jwks_uri in its discovery document)");
    if (jwksText != null) {
      Optional<String> problem = jwksUriProblem(jwksText);
      if (problem.isPresent()) {
        oidc.report(oidc.key("jwksUri"), problem.get());
      } else {
        jwksUri = URI.create(jwksText);
      }
    }

    List<String> algorithms = algorithms(oidc);
    String userClaim = claimName(oidc, "userClaim", OidcConfig.DEFAULT_USER_CLAIM);
    String rolesClaim = claimName(oidc, "rolesClaim", OidcConfig.DEFAULT_ROLES_CLAIM);
    String teamsClaim = claimName(oidc, "teamsClaim", OidcConfig.DEFAULT_TEAMS_CLAIM);

    int beforeRefresh = oidc.problems().count();
    Duration refresh =
        oidc.duration("jwksRefresh", OidcConfig.DEFAULT_JWKS_REFRESH, false, MAX_JWKS_REFRESH);
    if (oidc.problems().count() == beforeRefresh && refresh.compareTo(MIN_JWKS_REFRESH) < 0) {
      oidc.report(
          oidc.key("jwksRefresh"),
          Values.formatDuration(refresh) + " is under the minimum of "
              + Values.formatDuration(MIN_JWKS_REFRESH));
    }

    // an absent section reports itself once and leaves every value null
    if (oidc.problems().count() != before || issuer == null || audience == null || jwksUri == null) {
      return null;
    }
    return new OidcConfig(
        issuer, audience, jwksUri, algorithms, userClaim, rolesClaim, teamsClaim, refresh);
  }

  private static List<String> algorithms(Section oidc) {
    List<JsonNode> items = oidc.list("algorithms", null);
    if (items == null) {
      return OidcConfig.DEFAULT_ALGORITHMS;
    }
    List<String> algorithms = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String at = oidc.item("algorithms", i);
      String a = oidc.text(at, items.get(i));
      if (a == null) {
        continue;
      }
      if (OidcConfig.isForbidden(a)) {
        oidc.report(
            at,
            "'" + a + "' is never accepted: only asymmetric signatures prove a token came from the"
                + " identity provider (allowed: " + String.join(", ", OidcConfig.SUPPORTED_ALGORITHMS) + ")");
      } else if (!OidcConfig.SUPPORTED_ALGORITHMS.contains(a)) {
        oidc.report(
            at,
            "unknown algorithm '" + a + "' (allowed: "
                + String.join(", ", OidcConfig.SUPPORTED_ALGORITHMS) + "; names are case-sensitive)");
      } else if (algorithms.contains(a)) {
        oidc.report(at, "algorithm '" + a + "' listed twice");
      } else {
        algorithms.add(a);
      }
    }
    return algorithms;
  }

  private static String claimName(Section oidc, String key, String dflt) {
    String v = oidc.string(key, null);
    return v == null ? dflt : v;
  }

  /**
   * https, or http for a loopback host only: these keys decide who counts as staff, so they must
   * not be fetchable through a network attacker. A query is allowed (some providers scope key
   * sets per application with one); user info and fragments are not.
   */
  static Optional<String> jwksUriProblem(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return Optional.of("not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("must be an https:// URL with a host");
    }
    if (uri.getRawUserInfo() != null) {
      return Optional.of("URL must not contain user info (credentials do not belong in config)");
    }
    if (uri.getRawFragment() != null) {
      return Optional.of("URL must not have a fragment");
    }
    if (scheme.equals("https")) {
      return Optional.empty();
    }
    if (scheme.equals("http") && Values.isLoopbackHost(uri.getHost())) {
      return Optional.empty();
    }
    return Optional.of(
        "must be an https:// URL (http:// only for a loopback host): the key set decides who is staff");
  }
}
