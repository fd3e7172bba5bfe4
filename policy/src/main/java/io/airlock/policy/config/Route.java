package io.airlock.policy.config;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashSet;
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
 * @param maskingProfile profile name from masking.yaml; empty only when {@link #passthrough()}
 * @param passthroughTypes the media types (lower case, no parameters) whose bodies pass
 *     unmasked, in the order written; empty for none. Only these: a backend that can also answer
 *     XML, CSV or JSONP when the agent asks must not release the same data through another
 *     type. JSON is still masked with the profile, or refused without one
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
    Set<String> passthroughTypes,
    Optional<UpstreamTls> tls) {

  /** Without backend TLS settings. */
  public Route(
      String id, String pathTemplate, boolean subpaths, URI backend, Set<String> methods, Optional<String> maskingProfile,
      Set<String> passthroughTypes) {
    this(id, pathTemplate, subpaths, backend, methods, maskingProfile, passthroughTypes, Optional.empty());
  }

  public Route {
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(pathTemplate, "pathTemplate");
    Objects.requireNonNull(backend, "backend");
    methods = Set.copyOf(methods);
    Objects.requireNonNull(maskingProfile, "maskingProfile");
    // ordered: it becomes the Accept header sent to the backend
    passthroughTypes = Collections.unmodifiableSet(new LinkedHashSet<>(passthroughTypes));
  }

  /** Whether some non-JSON types pass unmasked on this route. */
  public boolean passthrough() {
    return !passthroughTypes.isEmpty();
  }
}
