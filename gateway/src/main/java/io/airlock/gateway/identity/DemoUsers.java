package io.airlock.gateway.identity;

import io.airlock.gateway.config.ConfigException;
import io.airlock.gateway.config.DemoUsersBinder;
import io.airlock.policy.staff.Staff;
import io.airlock.policy.staff.StaffId;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The staff of demo identity mode, from {@code users.yaml} in the config directory. */
public final class DemoUsers {
  public static final String FILE = DemoUsersBinder.FILE;

  private final Map<String, Staff> byId;

  private DemoUsers(List<Staff> users) {
    Map<String, Staff> m = new LinkedHashMap<>();
    for (Staff s : users) {
      if (m.put(s.id(), s) != null) {
        throw new IllegalArgumentException("demo user '" + s.id() + "' is listed twice");
      }
    }
    this.byId = m;
  }

  /**
   * Reads {@code configDir/users.yaml} (blocking file I/O: start-up only).
   *
   * @throws ConfigException every problem, each naming the file and key
   */
  public static DemoUsers load(Path configDir) throws ConfigException {
    return new DemoUsers(DemoUsersBinder.load(configDir));
  }

  /** For tests: users given directly, ids already normalised. */
  public static DemoUsers of(List<Staff> users) {
    return new DemoUsers(users);
  }

  /** The user whose id normalises to the same form as {@code rawId}. */
  public Optional<Staff> find(String rawId) {
    return StaffId.normalize(rawId).map(byId::get);
  }

  /** Every user, in file order. */
  public List<Staff> all() {
    return List.copyOf(byId.values());
  }
}
