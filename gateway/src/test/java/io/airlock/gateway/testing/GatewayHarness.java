package io.airlock.gateway.testing;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** A real gateway node in front of a {@link RecordingBackend}, plus helpers to call it. */
public final class GatewayHarness implements AutoCloseable {
  public final RecordingBackend backend;
  public final AirlockNode node;
  public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final GrantSigner signer;

  private GatewayHarness(RecordingBackend backend, AirlockNode node) {
    this.backend = backend;
    this.node = node;
    this.signer = new GrantSigner(node.keys(), TestConfigs.ISSUER, Clock.systemUTC());
  }

  public static GatewayHarness start(Path dir) throws Exception {
    return start(dir, c -> c);
  }

  /** A node whose test config is first changed by {@code tweak} (policy, tickets, ...). */
  public static GatewayHarness start(Path dir, java.util.function.UnaryOperator<AirlockConfig> tweak) throws Exception {
    return start(dir, tweak, java.util.function.UnaryOperator.identity());
  }

  /** As above, with {@code wrapStores} in front of the node's stores ({@link io.airlock.gateway.TestNodes}). */
  public static GatewayHarness start(
      Path dir,
      java.util.function.UnaryOperator<AirlockConfig> tweak,
      java.util.function.UnaryOperator<io.airlock.gateway.store.Stores> wrapStores)
      throws Exception {
    RecordingBackend backend = RecordingBackend.start();
    try {
      AirlockConfig cfg = tweak.apply(TestConfigs.config(dir, backend.uri()));
      return new GatewayHarness(backend, io.airlock.gateway.TestNodes.start(cfg, Clock.systemUTC(), wrapStores));
    } catch (Exception e) {
      backend.close();
      throw e;
    }
  }

  /** A grant for alice on SUP-1 covering the given clients, read only. */
  public String grant(String... clients) {
    return grant(Set.of(Action.READ), Set.of(), clients);
  }

  public String grant(Set<Action> actions, Set<FieldClass> unmask, String... clients) {
    return grantFor("alice", actions, unmask, clients);
  }

  /** A grant for {@code agent} on SUP-1 (as if approved by maria). */
  public String grantFor(String agent, Set<Action> actions, Set<FieldClass> unmask, String... clients) {
    return signer
        .sign(new GrantClaims(agent, "SUP-1", List.of(clients), actions, unmask, "req-1", List.of("maria"), node.revocations().epoch(),
            Duration.ofMinutes(5)))
        .token();
  }

  public URI data(String path) {
    return URI.create("http://127.0.0.1:" + node.dataPlanePort() + path);
  }

  public URI control(String path) {
    return URI.create("http://127.0.0.1:" + node.controlPlanePort() + path);
  }

  public HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(data(path)).timeout(Duration.ofSeconds(20));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public int dataPort() {
    return node.dataPlanePort();
  }

  @Override
  public void close() throws Exception {
    try {
      node.close();
    } finally {
      backend.close();
    }
  }
}
