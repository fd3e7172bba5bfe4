package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.airlock.policy.config.AuditConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditBinderTest {
  private static final Path CONFIG_DIR = Path.of("/etc/airlock/demo");
  private final Problems problems = new Problems();

  private AuditConfig bind(String yaml) throws Exception {
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    Section root = Section.of(problems, "airlock.yaml", "", tree, "node", "audit");
    return AuditBinder.bind(root, CONFIG_DIR);
  }

  @Test
  void absentMeansSyncDurabilityInVarAuditBesideTheConfig() throws Exception {
    AuditConfig c = bind("node: {id: n1}\n");
    assertThat(problems.all()).isEmpty();
    assertThat(c.dir()).isEqualTo(Path.of("/etc/airlock/demo/var/audit"));
    assertThat(c.durability()).isEqualTo(AuditConfig.Durability.SYNC);
    assertThat(c.maxBatch()).isEqualTo(512);
    assertThat(c.queueCapacity()).isEqualTo(65_536);
    assertThat(c.streamMaxLength()).isEqualTo(100_000);
  }

  @Test
  void relativeDirResolvesAgainstTheConfigDirAbsoluteStaysAsIs() throws Exception {
    assertThat(bind("audit: {dir: ../../var/audit}\n").dir()).isEqualTo(Path.of("/etc/var/audit"));
    assertThat(bind("audit: {dir: /var/lib/airlock/audit}\n").dir())
        .isEqualTo(Path.of("/var/lib/airlock/audit"));
    assertThat(problems.all()).isEmpty();
  }

  @Test
  void everyKeyBinds() throws Exception {
    AuditConfig c =
        bind(
            """
            audit:
              durability: ASYNC
              maxBatch: 64
              queueCapacity: 1000
              streamMaxLength: 5000
            """);
    assertThat(problems.all()).isEmpty();
    assertThat(c.durability()).isEqualTo(AuditConfig.Durability.ASYNC);
    assertThat(c.maxBatch()).isEqualTo(64);
    assertThat(c.queueCapacity()).isEqualTo(1000);
    assertThat(c.streamMaxLength()).isEqualTo(5000);
  }

  @Test
  void everyProblemIsReportedWithItsKey() throws Exception {
    bind(
        """
        audit:
          dir: ""
          durability: eventually
          maxBatch: 0
          queueCapacity: lots
          streamMaxLength: -1
          fsync: always
        """);
    List<String> errors = problems.all().stream().map(ConfigError::toString).toList();
    assertThat(errors)
        .containsExactlyInAnyOrder(
            "airlock.yaml: audit.fsync: unknown key (allowed: dir, durability, maxBatch, queueCapacity, streamMaxLength)",
            "airlock.yaml: audit.dir: empty (a value is required here)",
            "airlock.yaml: audit.durability: unknown durability 'eventually' (allowed: sync, which fsyncs before a response is released, or async)",
            "airlock.yaml: audit.maxBatch: 0 is out of range (allowed: 1 to 65536)",
            "airlock.yaml: audit.queueCapacity: expected an integer, got text \"lots\"",
            "airlock.yaml: audit.streamMaxLength: -1 is out of range (allowed: 1 to 100000000)");
  }
}
