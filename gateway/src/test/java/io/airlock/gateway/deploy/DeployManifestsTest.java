package io.airlock.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.SecretSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/: the example manifests parse, their embedded config loads, and ports, paths, probes
 * and timeouts agree with what that config makes a node do.
 */
class DeployManifestsTest {
  private static final Path DEPLOY = Path.of("..", "deploy");

  @TempDir Path dir;

  @Test
  void the_kubernetes_example_agrees_with_its_own_config() throws Exception {
    Map<String, JsonNode> byKind = new HashMap<>();
    try (MappingIterator<JsonNode> docs =
        new YAMLMapper().readerFor(JsonNode.class).readValues(DEPLOY.resolve("kubernetes/airlock.yaml").toFile())) {
      while (docs.hasNext()) {
        JsonNode d = docs.next();
        byKind.put(d.path("kind").asText(), d);
      }
    }
    assertThat(byKind).containsKeys("ConfigMap", "Secret", "Deployment", "PodDisruptionBudget", "NetworkPolicy");

    JsonNode data = byKind.get("ConfigMap").path("data");
    data.fieldNames().forEachRemaining(f -> write(dir.resolve(f), data.get(f).asText()));
    JsonNode pod = byKind.get("Deployment").at("/spec/template/spec");
    JsonNode c = pod.path("containers").get(0);
    // the container's environment, each variable from a key of the Secret in this file
    Map<String, String> env = new HashMap<>();
    String secretName = byKind.get("Secret").at("/metadata/name").asText();
    for (JsonNode e : c.path("env")) {
      assertThat(e.at("/valueFrom/secretKeyRef/name").asText()).as(e.path("name").asText() + " comes from the Secret")
          .isEqualTo(secretName);
      env.put(e.path("name").asText(), "placeholder for " + e.at("/valueFrom/secretKeyRef/key").asText());
    }
    // loads only if every ...Env key names a variable the container sets
    AirlockConfig cfg = ConfigLoader.load(dir, env::get, Clock.systemUTC());
    List<SecretSource> secrets = new ArrayList<>();
    cfg.grants().keys().forEach(k -> secrets.add(k.source()));
    secrets.add(cfg.secrets().watermarkKey());
    secrets.add(cfg.secrets().maskingKey());
    cfg.redis().flatMap(r -> r.password()).ifPresent(secrets::add);
    assertThat(secrets).as("the example keeps every secret out of files").allMatch(x -> x instanceof SecretSource.FromEnv);
    Map<String, Integer> ports = new HashMap<>();
    c.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
    assertThat(ports).containsEntry("data", cfg.dataPlane().port()).containsEntry("control", cfg.controlPlane().port());

    assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    assertThat(c.at("/readinessProbe/httpGet/port").asText()).isEqualTo("control");
    assertThat(c.at("/readinessProbe/httpGet/scheme").asText()).isEqualTo(cfg.controlPlane().tls().isPresent() ? "HTTPS" : "HTTP");
    assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(pod.path("terminationGracePeriodSeconds").asLong())
        .as("the pod outlives the drain").isGreaterThan(cfg.shutdown().drainTimeout().toSeconds());
    assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();

    Map<String, String> mounts = new HashMap<>();
    c.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
    List<String> args = new ArrayList<>();
    c.path("args").forEach(a -> args.add(a.asText()));
    String configDir = args.get(args.indexOf("--config") + 1);
    assertThat(args).contains("serve");
    assertThat(mounts).containsKey(configDir);
    assertThat(mounts).as("audit.dir is a writable volume").containsKey(cfg.audit().dir().toString());
    List<Path> secretFiles = new ArrayList<>();
    cfg.redis().flatMap(r -> r.tls()).ifPresent(t -> secretFiles.add(t.caFile()));
    cfg.dataPlane().tls().ifPresent(t -> { secretFiles.add(t.certFile()); secretFiles.add(t.keyFile()); });
    cfg.controlPlane().tls().ifPresent(t -> { secretFiles.add(t.certFile()); secretFiles.add(t.keyFile()); });
    for (Path f : secretFiles) {
      assertThat(mounts).as(f + " is on a mounted volume").containsKey(f.getParent().toString());
    }

    JsonNode labels = byKind.get("Deployment").at("/spec/template/metadata/labels");
    assertThat(byKind.get("PodDisruptionBudget").at("/spec/selector/matchLabels")).isEqualTo(labels);
    assertThat(byKind.get("NetworkPolicy").at("/spec/podSelector/matchLabels")).isEqualTo(labels);
    boolean controlPlaneOpen = false;
    for (JsonNode rule : byKind.get("NetworkPolicy").at("/spec/ingress")) {
      for (JsonNode p : rule.path("ports")) {
        if (p.path("port").asInt() == cfg.controlPlane().port() && rule.path("from").isEmpty()) {
          controlPlaneOpen = true;
        }
      }
    }
    assertThat(controlPlaneOpen).as("the control plane port is open to everyone").isFalse();
  }

  @Test
  void the_systemd_unit_runs_serve_stops_gracefully_and_may_write_the_audit_dir() throws Exception {
    Map<String, String> unit = new HashMap<>();
    for (String line : Files.readAllLines(DEPLOY.resolve("systemd/airlock.service"))) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && eq > 0) {
        unit.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    assertThat(unit.get("ExecStart")).contains("airlock.jar serve --config /etc/airlock");
    assertThat(unit.get("ExecStartPre")).contains("check-config --config /etc/airlock");
    assertThat(unit.get("ExecReload")).contains("-HUP");
    assertThat(unit.get("KillSignal")).isEqualTo("SIGTERM");
    assertThat(Long.parseLong(unit.get("TimeoutStopSec")))
        .isGreaterThan(io.airlock.policy.config.ShutdownConfig.DEFAULT_DRAIN_TIMEOUT.toSeconds());
    assertThat(unit.get("User")).isEqualTo("airlock");
    // config/airlock.yaml, the shipped production example, writes its audit log under the unit's state dir
    AirlockConfig example = ConfigLoader.load(Path.of("..", "config"));
    assertThat(example.audit().dir().toString()).startsWith(unit.get("ReadWritePaths"));
  }

  private static void write(Path p, String text) {
    try {
      Files.writeString(p, text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
