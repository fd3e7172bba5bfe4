package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.QuotaPolicy;
import io.airlock.policy.config.TicketsConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** policy.yaml quotas and honeyClients, airlock.yaml secrets and tickets: defaults, values, mistakes named. */
class InsiderConfigTest {
  @TempDir Path dir;

  static PolicyConfig policy(String yaml) {
    Problems problems = new Problems();
    PolicyConfig c = PolicyBinder.bind(YamlFiles.parse("policy.yaml", yaml, problems).root(), problems);
    assertThat(problems.all()).isEmpty();
    return c;
  }

  static List<String> policyErrors(String yaml) {
    Problems problems = new Problems();
    PolicyBinder.bind(YamlFiles.parse("policy.yaml", yaml, problems).root(), problems);
    return problems.all().stream().map(e -> e.key() + ": " + e.problem()).toList();
  }

  List<String> airlockErrors(String extra) {
    new ConfigFiles().with("airlock.yaml", ConfigFiles.AIRLOCK + extra).writeTo(dir);
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));
    assertThat(e).as("expected errors").isNotNull();
    return e.errors().stream().map(x -> x.file() + ": " + x.key() + ": " + x.problem()).toList();
  }

  @Test
  void quotasAndHoneyClientsDefaultAndBind() {
    assertThat(policy("").quotas()).isEqualTo(new QuotaPolicy(20, 60, 60));
    assertThat(policy("").honeyClients()).isEmpty();
    PolicyConfig c = policy("quotas: { clientsPerHour: 5, clientsPerDay: 10, requestedClientsPerDay: 7 }\nhoneyClients: [c-0137, c-0071]\n");
    assertThat(c.quotas()).isEqualTo(new QuotaPolicy(5, 10, 7));
    assertThat(c.honeyClients()).containsExactlyInAnyOrder("c-0137", "c-0071");
  }

  @Test
  void quotaAndHoneyMistakesAreNamed() {
    assertThat(policyErrors("quotas: { clientsPerHour: 50, clientsPerDay: 10 }\n"))
        .containsExactly("quotas.clientsPerHour: 50 is more than quotas.clientsPerDay (10)");
    assertThat(policyErrors("quotas: { clientsPerHour: 0, perWeek: 3 }\n"))
        .anyMatch(s -> s.startsWith("quotas.perWeek: unknown key"))
        .anyMatch(s -> s.startsWith("quotas.clientsPerHour: 0 is out of range"));
    assertThat(policyErrors("honeyClients: [c-0137, c-0137, 'bad id!']\n"))
        .containsExactly(
            "honeyClients[1]: 'c-0137' listed twice",
            "honeyClients[2]: 'bad id!' is not a client id (requests.clientPattern): no request could ever name it");
  }

  @Test
  void secretsAndTicketsDefaultToGeneratedKeysBesideTheConfigAndNoTicketChecks() throws Exception {
    new ConfigFiles().writeTo(dir);
    AirlockConfig c = ConfigLoader.load(dir);
    Path abs = dir.toAbsolutePath().normalize();
    assertThat(c.secrets().watermarkKey()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(abs.resolve("keys/watermark.key")));
    assertThat(c.secrets().maskingKey()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(abs.resolve("keys/masking.key")));
    assertThat(c.secrets().generateMissing()).as("demo identity").isTrue();
    assertThat(c.tickets().mode()).isEqualTo(TicketsConfig.Mode.NONE);
  }

  @Test
  void secretsAndTicketsBind() throws Exception {
    new ConfigFiles()
        .with("airlock.yaml", ConfigFiles.AIRLOCK + """
            secrets: { watermarkKeyFile: /etc/airlock/wm.key, maskingKeyFile: k/mask.key }
            tickets:
              mode: http
              http: { baseUrl: "https://tickets.example.com/api/", timeout: 1500ms, cacheTtl: 0s }
            """)
        .writeTo(dir);
    AirlockConfig c = ConfigLoader.load(dir);
    assertThat(c.secrets().watermarkKey()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(Path.of("/etc/airlock/wm.key")));
    assertThat(c.secrets().maskingKey()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(dir.toAbsolutePath().normalize().resolve("k/mask.key")));
    TicketsConfig.Http h = c.tickets().http().orElseThrow();
    assertThat(c.tickets().mode()).isEqualTo(TicketsConfig.Mode.HTTP);
    assertThat(h.baseUrl()).isEqualTo(URI.create("https://tickets.example.com/api"));
    assertThat(h.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(h.cacheTtl()).isZero();
  }

  @Test
  void theDemoChecksTicketsFromItsFileAndKeepsItsKeysInVarKeys() throws Exception {
    Path root = ShippedConfigTest.projectRoot();
    AirlockConfig demo = ConfigLoader.load(root.resolve("config/demo"));
    Path keys = root.resolve("var/keys").toAbsolutePath().normalize();
    assertThat(demo.secrets().watermarkKey()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(keys.resolve("watermark.key")));
    assertThat(demo.secrets().maskingKey()).isEqualTo(new io.airlock.policy.config.SecretSource.FromFile(keys.resolve("masking.key")));
    assertThat(demo.tickets().mode()).isEqualTo(TicketsConfig.Mode.FILE);
    var tickets = TicketsFileBinder.load(demo.tickets().file().orElseThrow());
    // the README's flow: alice asks for c-0001 and c-0002 under SUP-1234
    assertThat(tickets.get("SUP-1234").mismatch("alice", List.of("c-0001", "c-0002"))).isEmpty();
    // honey clients look like the demo backend's c-0001..c-0200, and one ticket leads to one
    assertThat(demo.policy().honeyClients()).allMatch(id -> id.matches("c-0[0-1][0-9][0-9]|c-0200"));
    assertThat(tickets.values()).anyMatch(t -> t.clients().stream().anyMatch(demo.policy().honeyClients()::contains));

    AirlockConfig example = ConfigLoader.load(root.resolve("config"));
    assertThat(example.secrets().generateMissing()).isFalse();
    assertThat(example.tickets().mode()).isEqualTo(TicketsConfig.Mode.HTTP);
  }

  @Test
  void secretsAndTicketsMistakesAreNamed() {
    assertThat(airlockErrors("secrets: { watermarkKeyFile: a.key, maskingKeyFile: a.key, value: abc }\ntickets: { mode: jira }\n"))
        .contains(
            "airlock.yaml: secrets.value: unknown key (allowed: watermarkKeyFile, watermarkKeyEnv, maskingKeyFile, maskingKeyEnv)",
            "airlock.yaml: secrets.maskingKeyFile: is the same file as secrets.watermarkKeyFile: each key has one purpose",
            "airlock.yaml: tickets.mode: unknown mode 'jira' (allowed: none, file, http)");
    assertThat(airlockErrors("tickets: { mode: http }\n"))
        .containsExactly("airlock.yaml: tickets.http: missing (required: baseUrl of the ticketing API)");
    assertThat(airlockErrors("tickets: { mode: http, http: { baseUrl: 'ftp://x', timeout: 5m } }\n"))
        .containsExactly(
            "airlock.yaml: tickets.http.baseUrl: must be an http:// or https:// URL",
            "airlock.yaml: tickets.http.timeout: 5m is over the maximum of 30s");
  }
}
