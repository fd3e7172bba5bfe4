package io.airlock.policy.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of routes.yaml.
 *
 * @param id stable name, used in metrics and audit
 * @param pathTemplate literal segments and exactly one {@code {client}} segment, e.g.
 *     {@code /clients/{client}}
 * @param subpaths whether paths below the template match too ({@code /clients/{client}/...})
 * @param backend base URL of the backend; the request path is appended to its path
 * @param methods allowed HTTP methods (upper case)
 * @param maskingProfile profile name from masking.yaml; empty only when {@code passthrough}
 * @param passthrough responses explicitly typed as something other than JSON pass unmasked
 *     (explicit opt-in); JSON is still masked with the profile, or refused without one
 * @param tls trust (and client certificate) for an {@code https://} backend; empty uses the
 *     JVM's default trust store
 */
public record Route(
    String id,
    String pathTemplate,
    boolean subpaths,
    URI backend,
    Set<String> methods,
    Optional<String> maskingProfile,
    boolean passthrough,
    Optional<UpstreamTls> tls) {

  /** Without backend TLS settings. */
  public Route(
      String id, String pathTemplate, boolean subpaths, URI backend, Set<String> methods, Optional<String> maskingProfile,
      boolean passthrough) {
    this(id, pathTemplate, subpaths, backend, methods, maskingProfile, passthrough, Optional.empty());
  }

  public Route {
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(pathTemplate, "pathTemplate");
    Objects.requireNonNull(backend, "backend");
    methods = Set.copyOf(methods);
    Objects.requireNonNull(maskingProfile, "maskingProfile");
  }
}
