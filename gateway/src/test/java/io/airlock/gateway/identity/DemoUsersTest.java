package io.airlock.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import io.airlock.gateway.config.ConfigError;
import io.airlock.gateway.config.ConfigException;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** users.yaml: the shipped one loads, and every mistake names users.yaml and the key. */
class DemoUsersTest {
  @TempDir Path dir;

  static Path demoConfigDir() {
    String prop = System.getProperty("airlock.project.root");
    Path root = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath().getParent();
    return root.resolve("config/demo");
  }

  @Test
  void shippedDemoUsersLoad() throws ConfigException {
    DemoUsers users = DemoUsers.load(demoConfigDir());

    assertThat(users.all())
        .extracting(Staff::id)
        .containsExactly("alice", "bob", "carol", "maria", "omar", "sam", "tess");
    assertThat(users.find("alice")).contains(new Staff("alice", Set.of(Role.AGENT), Set.of("payments")));
    assertThat(users.find("bob")).contains(new Staff("bob", Set.of(Role.AGENT), Set.of("payments")));
    assertThat(users.find("carol")).contains(new Staff("carol", Set.of(Role.AGENT), Set.of("kyc")));
    assertThat(users.find("maria")).contains(new Staff("maria", Set.of(Role.MANAGER), Set.of("payments")));
    assertThat(users.find("omar")).contains(new Staff("omar", Set.of(Role.MANAGER), Set.of("kyc")));
    assertThat(users.find("sam")).contains(new Staff("sam", Set.of(Role.SECURITY), Set.of()));
    assertThat(users.find("tess")).contains(new Staff("tess", Set.of(Role.SECURITY), Set.of()));
    // looked up by normal form
    assertThat(users.find(" ＡＬＩＣＥ")).map(Staff::id).contains("alice");
    assertThat(users.find("\u0430lice")).isEmpty();
  }

  private ConfigException bad(String yaml) throws Exception {
    Files.writeString(dir.resolve("users.yaml"), yaml);
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> DemoUsers.load(dir));
    assertThat(e).as("refused").isNotNull();
    return e;
  }

  @Test
  void everyMistakeIsReportedWithFileAndKey() throws Exception {
    ConfigException e =
        bad(
            """
            users:
              - id: alice
                roles: [agent]
                teams: [payments]
                name: Alice A.
              - id: bob
                roles: [agent, superuser]
              - id: Alice
                roles: [manager]
              - id: "\u0430lice"
                roles: [agent]
              - id: dan
                roles: []
              - id: erin
                roles: [Manager]
                teams: [Payments]
              - roles: [agent]
            extra: 1
            """);
    assertThat(e.errors())
        .extracting(ConfigError::file, ConfigError::key)
        .containsExactly(
            tuple("users.yaml", "extra"),
            tuple("users.yaml", "users[0].name"),
            tuple("users.yaml", "users[1].roles[1]"),
            tuple("users.yaml", "users[2].id"),
            tuple("users.yaml", "users[3].id"),
            tuple("users.yaml", "users[4].roles"),
            tuple("users.yaml", "users[5].roles[0]"),
            tuple("users.yaml", "users[5].teams[0]"),
            tuple("users.yaml", "users[6].id"));
    assertThat(e.errors().get(1).problem()).contains("unknown key (allowed: id, roles, teams)");
    assertThat(e.errors().get(2).problem()).contains("unknown role 'superuser' (allowed: agent, manager, security)");
    assertThat(e.errors().get(3).problem()).contains("duplicate user 'alice' (also users[0].id");
    assertThat(e.errors().get(4).problem()).contains("not a usable staff id");
    assertThat(e.errors().get(7).problem()).contains("did you mean 'payments'");
    assertThat(e.getMessage()).contains("users.yaml: users[1].roles[1]: unknown role 'superuser'");
  }

  @Test
  void missingOrBrokenFileIsNamed() throws Exception {
    ConfigException missing = catchThrowableOfType(ConfigException.class, () -> DemoUsers.load(dir));
    assertThat(missing.errors())
        .extracting(ConfigError::file, ConfigError::key)
        .containsExactly(tuple("users.yaml", ConfigError.WHOLE_FILE));
    assertThat(missing.getMessage()).contains("missing");

    ConfigException dup = bad("users:\n  - id: a\n    id: b\n    roles: [agent]\n");
    assertThat(dup.getMessage()).contains("users.yaml", "duplicate key 'id'");

    ConfigException empty = bad("users: []\n");
    assertThat(empty.errors()).extracting(ConfigError::key).containsExactly("users");
  }
}
