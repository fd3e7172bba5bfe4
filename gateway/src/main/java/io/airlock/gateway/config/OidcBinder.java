package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.config.SecretSource;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Binds {@code identity.oidc} in airlock.yaml: the token checks, and (when {@code redirectUri} is
 * set) browser sign-in. A client secret is never a YAML value: a file or an environment
 * variable, both checked here so a missing secret stops start-up instead of the first sign-in.
 */
final class OidcBinder {
  private OidcBinder() {}

  /** Only meaningful for browser sign-in, i.e. together with {@code redirectUri}. */
  static final List<String> SIGN_IN_KEYS =
      List.of("authorizationEndpoint", "tokenEndpoint", "clientSecretFile", "clientSecretEnv", "scopes");

  static final String[] KEYS = {
    "issuer", "audience", "jwksUri", "algorithms", "userClaim", "rolesClaim", "teamsClaim",
    "jwksRefresh", "redirectUri", "authorizationEndpoint", "tokenEndpoint", "clientSecretFile",
    "clientSecretEnv", "scopes"
  };

  /** A real client secret is tens of bytes; the cap keeps a wrong path from being slurped. */
  static final long MAX_SECRET_BYTES = 4096;

  // RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
  private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,128}");
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      Set.of(
          PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  // an unknown kid may force a refetch at most this often, so a shorter timer buys nothing
  static final Duration MIN_JWKS_REFRESH = Duration.ofSeconds(30);
  static final Duration MAX_JWKS_REFRESH = Duration.ofHours(24);

  /**
   * @param oidc the {@code identity.oidc} section, created with {@link #KEYS}
   * @param dir the config directory, which relative paths are resolved against
   * @param env reads environment variables (System::getenv; tests pass their own)
   * @return the settings, or null when something was reported
   */
  static OidcConfig bind(Section oidc, Path dir, Function<String, String> env) {
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

    Optional<OidcConfig.SignIn> signIn = signIn(oidc, dir, env, issuer);

    // an absent section reports itself once and leaves every value null
    if (oidc.problems().count() != before || issuer == null || audience == null || jwksUri == null) {
      return null;
    }
    return new OidcConfig(
        issuer, audience, jwksUri, algorithms, userClaim, rolesClaim, teamsClaim, refresh, signIn);
  }

  /** Browser sign-in: on when {@code redirectUri} is set; its other keys need it. */
  private static Optional<OidcConfig.SignIn> signIn(
      Section oidc, Path dir, Function<String, String> env, String issuer) {
    String redirectText = oidc.string("redirectUri", null);
    if (redirectText == null) {
      for (String k : SIGN_IN_KEYS) {
        if (oidc.has(k) && !oidc.has("redirectUri")) {
          oidc.report(oidc.key(k), "is for browser sign-in, which is on only when identity.oidc.redirectUri is set");
        }
      }
      return Optional.empty();
    }
    int before = oidc.problems().count();
    URI redirectUri = redirectUri(oidc, redirectText);
    Optional<URI> authorization = endpoint(oidc, "authorizationEndpoint");
    Optional<URI> token = endpoint(oidc, "tokenEndpoint");
    boolean authGiven = oidc.has("authorizationEndpoint");
    boolean tokenGiven = oidc.has("tokenEndpoint");
    if (authGiven != tokenGiven) {
      String missing = authGiven ? "tokenEndpoint" : "authorizationEndpoint";
      oidc.report(
          oidc.key(missing),
          "missing: authorizationEndpoint and tokenEndpoint go together (leave both out to read them"
              + " from the issuer's /.well-known/openid-configuration)");
    } else if (!authGiven && issuer != null) {
      secureUrlProblem(issuer, "browser sign-in reads the provider's endpoints from the issuer's"
              + " /.well-known/openid-configuration (or set authorizationEndpoint and tokenEndpoint)")
          .ifPresent(p -> oidc.report(oidc.key("issuer"), p));
    }
    Optional<SecretSource> secret =
        Optional.ofNullable(SecretBinder.bind(oidc, "clientSecretFile", "clientSecretEnv", dir, env))
            .filter(s -> !(s instanceof SecretSource.FromFile f) || clientSecretFileUsable(oidc, f.path()));
    List<String> scopes = scopes(oidc);
    if (oidc.problems().count() != before || redirectUri == null) {
      return Optional.empty();
    }
    return Optional.of(
        new OidcConfig.SignIn(redirectUri, authorization, token, secret, scopes));
  }

  private static URI redirectUri(Section oidc, String text) {
    String key = oidc.key("redirectUri");
    Optional<String> problem =
        secureUrlProblem(text, "the provider sends the authorization code there")
            .or(() -> Values.httpUrlProblem(text));
    if (problem.isPresent()) {
      oidc.report(key, problem.get());
      return null;
    }
    URI uri = URI.create(text);
    if (uri.getPath() == null || !uri.getPath().endsWith(OidcConfig.SignIn.CALLBACK_PATH)) {
      oidc.report(
          key,
          "must be this control plane's " + OidcConfig.SignIn.CALLBACK_PATH + " as the browser reaches it,"
              + " e.g. https://airlock.example.com" + OidcConfig.SignIn.CALLBACK_PATH + " (got path '" + uri.getPath() + "')");
      return null;
    }
    return uri;
  }

  private static Optional<URI> endpoint(Section oidc, String k) {
    String text = oidc.string(k, null);
    if (text == null) {
      return Optional.empty();
    }
    Optional<String> problem = secureUrlProblem(text, "staff sign in through it");
    if (problem.isPresent()) {
      oidc.report(oidc.key(k), problem.get());
      return Optional.empty();
    }
    return Optional.of(URI.create(text));
  }

  /** The client secret file must exist, be the owner's only, and hold something secret-sized. */
  private static boolean clientSecretFileUsable(Section oidc, Path file) {
    String key = oidc.key("clientSecretFile");
    if (!Files.isRegularFile(file)) {
      oidc.report(key, file + " does not exist or is not a regular file");
      return false;
    }
    try {
      if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
          oidc.report(key, file + " has mode " + PosixFilePermissions.toString(perms)
              + ": a client secret must be readable by its owner only (chmod 600 " + file + ")");
          return false;
        }
      }
      long size = Files.size(file);
      if (size > MAX_SECRET_BYTES) {
        oidc.report(key, file + " holds " + size + " bytes: not a client secret (at most " + MAX_SECRET_BYTES + ")");
        return false;
      }
      if (Files.readString(file).isBlank()) {
        oidc.report(key, file + " is empty");
        return false;
      }
    } catch (IOException e) {
      oidc.report(key, file + " cannot be read: " + e.getMessage());
      return false;
    }
    return true;
  }

  private static List<String> scopes(Section oidc) {
    List<JsonNode> items = oidc.list("scopes", null);
    if (items == null) {
      return OidcConfig.SignIn.DEFAULT_SCOPES;
    }
    List<String> scopes = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String at = oidc.item("scopes", i);
      String scope = oidc.text(at, items.get(i));
      if (scope == null) {
        continue;
      }
      if (!SCOPE.matcher(scope).matches()) {
        oidc.report(at, "'" + scope + "' is not a scope (printable ASCII without spaces, quotes or backslashes)");
      } else if (scopes.contains(scope)) {
        oidc.report(at, "scope '" + scope + "' listed twice");
      } else {
        scopes.add(scope);
      }
    }
    if (!scopes.isEmpty() && !scopes.contains("openid") && items.size() == scopes.size()) {
      oidc.report(oidc.key("scopes"), "must contain openid (without it the provider returns no ID token)");
    }
    return scopes;
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
    return secureUrlProblem(text, "the key set decides who is staff");
  }

  /**
   * An https URL (http only for a loopback host), without user info or fragment.
   *
   * @param why what a network attacker could do with a plain-http URL here, for the message
   */
  static Optional<String> secureUrlProblem(String text, String why) {
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
    return Optional.of("must be an https:// URL (http:// only for a loopback host): " + why);
  }
}
