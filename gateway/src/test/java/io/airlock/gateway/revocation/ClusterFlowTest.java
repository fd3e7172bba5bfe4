package io.airlock.gateway.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisClusterSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.NodeConfig;
import io.airlock.policy.config.RedisConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How users outgrow one Redis: two nodes on a three-master Redis Cluster run the whole
 * request → approve → read → kill-all flow, each on a different node.
 */
class ClusterFlowTest {
  @TempDir Path dir;

  @Test
  void request_on_one_node_approve_and_read_on_the_other_then_kill_all_on_a_cluster() throws Exception {
    try (RedisClusterSupport cluster = RedisClusterSupport.start();
        RecordingBackend backend = RecordingBackend.start()) {
      backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\",\"email\":\"ada@example.com\"}");
      RedisConfig redis =
          new RedisConfig(cluster.uris(), true, "airlock-cluster-test:", Duration.ofMillis(500), Duration.ofSeconds(2));
      AirlockConfig base = TestConfigs.config(dir, backend.uri());
      try (AirlockNode a = AirlockNode.start(node(base, "node-a", redis), Clock.systemUTC());
          AirlockNode b = AirlockNode.start(node(base, "node-b", redis), Clock.systemUTC())) {
        ControlPlaneClient alice = ControlPlaneClient.login(a.controlPlanePort(), "alice");
        ControlPlaneClient maria = ControlPlaneClient.login(b.controlPlanePort(), "maria");
        ControlPlaneClient sam = ControlPlaneClient.login(a.controlPlanePort(), "sam");

        String id =
            alice
                .post(
                    "/api/requests",
                    new JsonObject()
                        .put("ticket", "SUP-9")
                        .put("clients", new JsonArray().add("c-0001"))
                        .put("reason", "cluster flow end to end"))
                .json()
                .getString("id");
        assertThat(maria.post("/api/requests/" + id + "/approve", new JsonObject()).json().getString("status"))
            .isEqualTo("approved");
        String grant = alice.get("/api/requests/" + id).json().getJsonObject("grant").getString("token");

        assertThat(read(b, grant).statusCode()).isEqualTo(200);
        ControlPlaneClient.Reply kill = sam.post("/api/kill-all", new JsonObject().put("reason", "cluster drill"));
        assertThat(kill.status()).isEqualTo(200);
        assertThat(kill.json().getString("acknowledged")).isEqualTo("2/2");
        HttpResponse<String> after = read(b, grant);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(after.body()).getString("error")).isEqualTo("grant_revoked");
      }
    }
  }

  private static HttpResponse<String> read(AirlockNode node, String grant) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.dataPlanePort() + "/clients/c-0001"))
                .header("Authorization", "Bearer " + grant)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static AirlockConfig node(AirlockConfig c, String id, RedisConfig redis) {
    return c.withNode(new NodeConfig(id))
        .withAudit(new io.airlock.policy.config.AuditConfig(c.configDir().resolve("audit-" + id),
            io.airlock.policy.config.AuditConfig.Durability.SYNC, 512, 65_536, 100_000))
        .withRedis(Optional.of(redis));
  }
}
