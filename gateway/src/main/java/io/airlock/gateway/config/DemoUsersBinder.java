package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.airlock.policy.staff.StaffId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Binds {@code users.yaml}, the demo identity's staff list, as strictly as the other config
 * files: unknown keys, unknown roles, ids that do not normalise and ids that collide after
 * normalisation are all errors naming the file and key.
 */
public final class DemoUsersBinder {
  private DemoUsersBinder() {}

  public static final String FILE = "users.yaml";

  private static final String ROLES_HINT =
      Arrays.stream(Role.values()).map(Role::code).collect(Collectors.joining(", "));

  /**
   * Reads {@code configDir/users.yaml}.
   *
   * @throws ConfigException every problem found, or the file is missing
   */
  public static List<Staff> load(Path configDir) throws ConfigException {
    Problems problems = new Problems();
    YamlFiles.Read read = YamlFiles.read(configDir, FILE, problems);
    List<Staff> users = List.of();
    if (read.status() == YamlFiles.Status.MISSING) {
      problems.add(
          FILE,
          ConfigError.WHOLE_FILE,
          "missing from " + configDir + " (required in demo identity mode: the staff who may log in)");
    } else if (read.status() == YamlFiles.Status.OK) {
      users = bind(read.root(), problems);
    }
    if (problems.count() > 0) {
      throw new ConfigException(problems.all());
    }
    return users;
  }

  static List<Staff> bind(JsonNode tree, Problems problems) {
    Section root = Section.of(problems, FILE, "", tree, "users");
    List<JsonNode> items = root.list("users", "at least one user {id, roles, teams}");
    List<Staff> users = new ArrayList<>();
    if (items == null) {
      return users;
    }
    Map<String, String> idAt = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      int before = problems.count();
      Section u = Section.of(problems, FILE, root.item("users", i), items.get(i), "id", "roles", "teams");

      String id = null;
      String raw = u.string("id", "the user's login name, e.g. alice");
      if (raw != null) {
        id = StaffId.normalize(raw).orElse(null);
        if (id == null) {
          u.report(
              u.key("id"),
              "'" + raw + "' is not a usable staff id (after NFKC and lower-casing only a-z, 0-9,"
                  + " '.', '_', '@' and '-' are allowed, at most 128 characters)");
        } else if (idAt.containsKey(id)) {
          u.report(
              u.key("id"),
              "duplicate user '" + id + "' (also " + idAt.get(id) + "; ids are compared after normalisation)");
        } else {
          idAt.put(id, u.key("id"));
        }
      }

      Set<Role> roles = EnumSet.noneOf(Role.class);
      List<JsonNode> roleItems = u.list("roles", "at least one of " + ROLES_HINT);
      if (roleItems != null) {
        for (int r = 0; r < roleItems.size(); r++) {
          String at = u.item("roles", r);
          String code = u.text(at, roleItems.get(r));
          if (code == null) {
            continue;
          }
          // exact codes only: the file is ours, so "Manager " is a typo worth reporting
          Role role = Role.parse(code).filter(x -> x.code().equals(code)).orElse(null);
          if (role == null) {
            u.report(at, "unknown role '" + code + "' (allowed: " + ROLES_HINT + ")");
          } else if (!roles.add(role)) {
            u.report(at, "role '" + code + "' listed twice");
          }
        }
      }

      Set<String> teams = new LinkedHashSet<>();
      List<JsonNode> teamItems = u.list("teams", null);
      if (teamItems != null) {
        for (int t = 0; t < teamItems.size(); t++) {
          String at = u.item("teams", t);
          String team = u.text(at, teamItems.get(t));
          if (team == null) {
            continue;
          }
          String norm = StaffId.normalize(team).orElse(null);
          if (norm == null || !norm.equals(team)) {
            u.report(
                at,
                "team '" + team + "' must be written in lower case from a-z, 0-9, '.', '_', '@' and '-'"
                    + (norm == null ? "" : " (did you mean '" + norm + "'?)"));
          } else if (!teams.add(norm)) {
            u.report(at, "team '" + team + "' listed twice");
          }
        }
      }

      if (problems.count() == before && id != null && !roles.isEmpty()) {
        users.add(new Staff(id, roles, teams));
      }
    }
    return users;
  }
}
