package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.policy.config.PolicyConfig;
import io.airlock.policy.config.RequestPolicy;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.staff.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** policy.yaml's request and approval keys: defaults, every value honoured, every mistake named. */
class PolicyBinderTest {

  static PolicyConfig bindOk(String yaml) {
    Problems problems = new Problems();
    YamlFiles.Read read = YamlFiles.parse("policy.yaml", yaml, problems);
    PolicyConfig c = PolicyBinder.bind(read.root(), problems);
    assertThat(problems.all()).as(yaml).isEmpty();
    return c;
  }

  static List<ConfigError> bindErrors(String yaml) {
    Problems problems = new Problems();
    YamlFiles.Read read = YamlFiles.parse("policy.yaml", yaml, problems);
    PolicyConfig c = PolicyBinder.bind(read.root(), problems);
    assertThat(c).as("a broken file still yields a usable value for the loader to discard").isNotNull();
    return problems.all();
  }

  @Test
  void anEmptyFileMeansTheDefaults() {
    PolicyConfig c = bindOk("");
    assertThat(c).isEqualTo(PolicyConfig.defaults());
    RequestPolicy r = c.requests();
    assertThat(r.ticketPattern()).isEqualTo("[A-Z][A-Z0-9]{1,9}-[0-9]{1,9}");
    assertThat(r.maxClients()).isEqualTo(10);
    assertThat(r.clientPattern()).isEqualTo("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    assertThat(r.reasonMinLength()).isEqualTo(10);
    assertThat(r.reasonMaxLength()).isEqualTo(500);
    assertThat(r.pendingTimeout()).isEqualTo(Duration.ofMinutes(30));
    RequestPolicy.Approvals a = r.approvals();
    assertThat(a.required()).isEqualTo(1);
    assertThat(a.approverRoles()).containsExactlyInAnyOrder(Role.MANAGER, Role.SECURITY);
    assertThat(a.sameTeam()).isTrue();
    assertThat(a.sensitiveClasses())
        .containsExactlyInAnyOrder(FieldClass.SSN, FieldClass.BANK, FieldClass.CARD, FieldClass.DOCUMENT);
    assertThat(a.writeRequired()).isEqualTo(2);
    assertThat(a.writeSecurityRequired()).isTrue();
  }

  @Test
  void everyKeyIsHonoured() {
    PolicyConfig c =
        bindOk(
            """
            grants: { defaultTtl: 10m, maxTtl: 45m }
            requests:
              ticketPattern: "(INC|CHG)[0-9]{7}"
              maxClients: 3
              clientPattern: "[0-9]{6,12}"
              reasonLength: { min: 20, max: 200 }
              pendingTimeout: 2h
            approvals:
              required: 2
              approverRoles: [security]
              sameTeam: false
              sensitiveClasses: [ssn, dob]
              write: { required: 3, securityRequired: false }
            """);
    assertThat(c.defaultGrantTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.maxGrantTtl()).isEqualTo(Duration.ofMinutes(45));
    RequestPolicy r = c.requests();
    assertThat(r)
        .isEqualTo(
            new RequestPolicy(
                "(INC|CHG)[0-9]{7}",
                3,
                "[0-9]{6,12}",
                20,
                200,
                Duration.ofHours(2),
                new RequestPolicy.Approvals(
                    2,
                    Set.of(Role.SECURITY),
                    false,
                    Set.of(FieldClass.SSN, FieldClass.DOB),
                    3,
                    false)));
  }

  @Test
  void theShippedPoliciesSpellOutTheDefaults() throws Exception {
    Path root = ShippedConfigTest.projectRoot();
    for (String dir : List.of("config", "config/demo")) {
      Problems problems = new Problems();
      YamlFiles.Read read = YamlFiles.read(root.resolve(dir), "policy.yaml", problems);
      PolicyConfig c = PolicyBinder.bind(read.root(), problems);
      assertThat(problems.all()).as(dir).isEmpty();
      // the demo names honey clients; otherwise both spell out the defaults
      assertThat(c.withHoneyClients(java.util.Set.of())).as(dir).isEqualTo(PolicyConfig.defaults());
    }
  }

  record Case(String name, String yaml, String key, String fragment) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> mistakes() {
    return Stream.of(
        new Case("unknown top-level key", "approval: {}\n", "approval", "unknown key (allowed: grants, requests, approvals, quotas, honeyClients)"),
        new Case("unknown requests key", "requests: { maxClient: 3 }\n", "requests.maxClient", "unknown key"),
        new Case("unknown approvals key", "approvals: { sametTeam: true }\n", "approvals.sametTeam", "unknown key"),
        new Case("unknown write key", "approvals: { write: { require: 2 } }\n", "approvals.write.require", "unknown key"),
        new Case("bad regex", "requests: { ticketPattern: \"[A-Z\" }\n", "requests.ticketPattern", "not a valid regular expression"),
        new Case("regex matching nothing at all", "requests: { clientPattern: \".*\" }\n", "requests.clientPattern", "matches the empty string"),
        new Case("huge regex", "requests: { ticketPattern: \"" + "A".repeat(201) + "\" }\n", "requests.ticketPattern", "longer than 200"),
        new Case("pattern not text", "requests: { ticketPattern: 12 }\n", "requests.ticketPattern", "expected text"),
        new Case("no clients allowed", "requests: { maxClients: 0 }\n", "requests.maxClients", "0 is out of range (allowed: 1 to 1000)"),
        new Case("clients as text", "requests: { maxClients: \"10\" }\n", "requests.maxClients", "expected an integer"),
        new Case("reason min over max", "requests: { reasonLength: { min: 50, max: 40 } }\n", "requests.reasonLength.min", "50 is more than requests.reasonLength.max (40)"),
        new Case("reason max out of range, min fine", "requests: { reasonLength: { min: 600, max: 20000 } }\n", "requests.reasonLength.max", "out of range"),
        new Case("zero reason", "requests: { reasonLength: { min: 0 } }\n", "requests.reasonLength.min", "out of range"),
        new Case("pendingTimeout zero", "requests: { pendingTimeout: 0s }\n", "requests.pendingTimeout", "must be greater than 0"),
        new Case("pendingTimeout over a day", "requests: { pendingTimeout: 25h }\n", "requests.pendingTimeout", "over the maximum of 24h"),
        new Case("no approvals needed", "approvals: { required: 0 }\n", "approvals.required", "out of range"),
        new Case("agent approver", "approvals: { approverRoles: [manager, agent, security] }\n", "approvals.approverRoles[1]", "agents never approve"),
        new Case("unknown role", "approvals: { approverRoles: [manager, securty] }\n", "approvals.approverRoles[1]", "unknown value 'securty' (allowed: manager, security)"),
        new Case("role in capitals", "approvals: { approverRoles: [MANAGER, security] }\n", "approvals.approverRoles[0]", "unknown value 'MANAGER'"),
        new Case("role twice", "approvals: { approverRoles: [security, security] }\n", "approvals.approverRoles[1]", "listed twice"),
        new Case("no approver roles", "approvals: { approverRoles: [] }\n", "approvals.approverRoles", "empty list"),
        new Case("sameTeam as text", "approvals: { sameTeam: \"yes\" }\n", "approvals.sameTeam", "expected true or false"),
        new Case("secret as sensitive", "approvals: { sensitiveClasses: [ssn, secret] }\n", "approvals.sensitiveClasses[1]", "secret is never shown in clear"),
        new Case("unknown class", "approvals: { sensitiveClasses: [passport] }\n", "approvals.sensitiveClasses[0]", "unknown value 'passport'"),
        new Case("write needs none", "approvals: { write: { required: 0 } }\n", "approvals.write.required", "out of range"),
        new Case(
            "security required by write but not an approver",
            "approvals: { approverRoles: [manager], sensitiveClasses: [ssn] }\n",
            "approvals.approverRoles",
            "lacks security, but approvals.write.securityRequired is true"),
        new Case(
            "security required by sensitive classes but not an approver",
            "approvals: { approverRoles: [manager], write: { securityRequired: false } }\n",
            "approvals.approverRoles",
            "lacks security, but approvals.sensitiveClasses need a security approver"),
        new Case("defaultTtl over maxTtl still reported", "grants: { defaultTtl: 30m, maxTtl: 20m }\n", "grants.defaultTtl", "30m is longer than grants.maxTtl (20m)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void namesTheOneMistake(Case c) {
    List<ConfigError> errors = bindErrors(c.yaml());
    assertThat(errors).as(errors.toString()).hasSize(1);
    ConfigError e = errors.get(0);
    assertThat(e.file()).isEqualTo("policy.yaml");
    assertThat(e.key()).isEqualTo(c.key());
    assertThat(e.problem()).contains(c.fragment());
  }

  @Test
  void theLoaderReportsPolicyMistakesWithTheRestAndLoadsAGoodPolicy(@TempDir Path dir) throws Exception {
    Path good =
        new ConfigFiles()
            .with("policy.yaml", "requests: { maxClients: 3 }\napprovals: { required: 2 }\n")
            .writeTo(Files.createDirectories(dir.resolve("good")));
    PolicyConfig p = ConfigLoader.load(good).policy();
    assertThat(p.requests().maxClients()).isEqualTo(3);
    assertThat(p.requests().approvals().required()).isEqualTo(2);

    Path bad =
        new ConfigFiles()
            .with("policy.yaml", "approvals: { approverRoles: [agent] }\nrequests: { maxClients: -1 }\n")
            .writeTo(Files.createDirectories(dir.resolve("bad")));
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(bad));
    assertThat(e.errors())
        .extracting(ConfigError::key)
        .containsExactly("requests.maxClients", "approvals.approverRoles[0]");
  }
}
