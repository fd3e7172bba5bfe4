package io.airlock.gateway.grant;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.airlock.gateway.config.ConfigException;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.gateway.config.SecretValues;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.SecretSource;
import io.airlock.policy.config.SigningSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code airlock keys generate --kid K --out FILE} and {@code airlock keys list --config DIR}:
 * the operator's half of a signing-key rotation (docs/operations.md "Key rotation").
 */
public final class KeysCli {
  private static final Pattern KID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  static final String USAGE = String.join("\n",
      "usage: airlock keys generate --kid KID --out FILE   new EC P-256 signing key as a private JWK, mode 0600",
      "       airlock keys list [--config DIR]             each kid's state (active, scheduled, verifying only),",
      "                                                    when its last grant expires, where the key comes from");

  private KeysCli() {}

  /** At the current time, with this process's environment. */
  public static int run(List<String> args, Path defaultConfig, PrintStream out, PrintStream err) {
    return run(args, defaultConfig, out, err, System::getenv, Clock.systemUTC());
  }

  /**
   * @param clock "now" for the key states
   * @return 0 on success, 2 on bad arguments, 1 when the file cannot be written, 78 on a bad config
   */
  public static int run(
      List<String> args, Path defaultConfig, PrintStream out, PrintStream err, Function<String, String> env, Clock clock) {
    List<String> rest = new ArrayList<>(args);
    if (rest.isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    String sub = rest.remove(0);
    try {
      switch (sub) {
        case "generate": {
          String kid = take(rest, "--kid");
          String outFile = take(rest, "--out");
          if (kid == null || outFile == null || !rest.isEmpty()) {
            err.println(USAGE);
            return 2;
          }
          if (!KID.matcher(kid).matches()) {
            err.println("airlock keys generate: --kid must be 1-64 letters, digits, '.', '_' or '-'");
            return 2;
          }
          return generate(kid, Path.of(outFile), out, err);
        }
        case "list": {
          String dir = take(rest, "--config");
          if (!rest.isEmpty()) {
            err.println(USAGE);
            return 2;
          }
          return list(dir != null ? Path.of(dir) : defaultConfig, out, err, env, clock);
        }
        default:
          err.println(USAGE);
          return 2;
      }
    } catch (IllegalArgumentException e) {
      err.println("airlock keys: " + e.getMessage());
      return 2;
    }
  }

  private static int generate(String kid, Path file, PrintStream out, PrintStream err) {
    ECKey key;
    try {
      key = new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
    } catch (JOSEException e) {
      err.println("airlock keys generate: cannot generate a P-256 key: " + e.getMessage());
      return 1;
    }
    try {
      // 0600 from the first byte: the private key is never readable by anyone else, not even briefly
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, key.toJSONString(), StandardCharsets.UTF_8);
    } catch (FileAlreadyExistsException e) {
      err.println("airlock keys generate: " + file + " already exists; refusing to overwrite a key");
      return 1;
    } catch (IOException | UnsupportedOperationException e) {
      err.println("airlock keys generate: cannot write " + file + ": " + e);
      return 1;
    }
    out.println("wrote " + file.toAbsolutePath() + " (kid " + kid + ", EC P-256, mode 0600)");
    out.println("next: add { kid: " + kid + ", file: " + file.toAbsolutePath() + ", activeFrom: <an instant after every node"
        + " has it> } to grants.keys on every node and restart them one by one; all nodes sign with it from activeFrom on");
    return 0;
  }

  private static int list(Path dir, PrintStream out, PrintStream err, Function<String, String> env, Clock clock) {
    AirlockConfig config;
    Instant now = clock.instant();
    try {
      config = ConfigLoader.load(dir, env, clock);
    } catch (ConfigException e) {
      err.println("airlock: configuration in " + dir.toAbsolutePath() + " is invalid:");
      err.println(e.getMessage());
      return 78;
    }
    GrantsConfig g = config.grants();
    SigningSchedule schedule = g.schedule();
    Duration maxTtl = config.policy().maxGrantTtl();
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("  kid", "state", "signs from", "signs until", "last grant it signed expires", "key"));
    for (GrantsConfig.KeyRef k : g.keys()) {
      SigningSchedule.KeyState state = schedule.stateAt(k.kid(), now);
      String from = schedule.start(k.kid())
          .map(t -> t.equals(SigningSchedule.ALWAYS) ? "always (activeKid)" : t.toString()).orElse("-");
      String until = schedule.handover(k.kid()).map(Instant::toString).orElse("-");
      String expires = schedule.lastGrantExpires(k.kid(), maxTtl, g.leeway())
          .map(t -> t + (t.isAfter(now) ? "" : " (safe to remove)"))
          .orElse(state == SigningSchedule.KeyState.VERIFYING_ONLY ? "unknown (not in the schedule)" : "-");
      rows.add(List.of(
          (state == SigningSchedule.KeyState.ACTIVE ? "* " : "  ") + k.kid(), label(state), from, until, expires,
          k.source().describe() + "  " + state(k.source())));
    }
    int[] width = new int[rows.get(0).size()];
    rows.forEach(r -> {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    });
    for (List<String> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        line.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + width[i] + "s  ", r.get(i)));
      }
      out.println(line.toString().stripTrailing());
    }
    out.println("(at " + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "; * signs new grants. Every listed kid is published in JWKS and verifies the grants dated in"
        + " its turn (signs from/until, widened by grants.leeway); a kid outside the schedule (signs from -) verifies"
        + " grants of any date, so keep activeFrom on a retired kid while it is listed. A verifying-only kid may be removed once its last grant expired: the next key's activeFrom"
        + " + policy grants.maxTtl (" + maxTtl.toMinutes() + "m) + grants.leeway (" + g.leeway().toSeconds() + "s).)");
    return 0;
  }

  private static String label(SigningSchedule.KeyState s) {
    return switch (s) {
      case ACTIVE -> "active";
      case SCHEDULED -> "published, not yet active";
      case VERIFYING_ONLY -> "verifying only";
    };
  }

  /** What an operator needs to know about a key, without printing any of it. */
  private static String state(SecretSource source) {
    String mode = null;
    if (source instanceof SecretSource.FromFile f) {
      if (!Files.isRegularFile(f.path())) {
        return "[missing]";
      }
      try {
        mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path()));
      } catch (IOException | UnsupportedOperationException e) {
        mode = "?";
      }
    }
    String suffix = mode == null ? "]" : ", " + mode + "]";
    try {
      JWK jwk = JWK.parse(SecretValues.read(source));
      return "[" + (jwk.isPrivate() ? "private" : "public only") + suffix;
    } catch (Exception e) {
      return "[unreadable: " + e.getClass().getSimpleName() + suffix;
    }
  }

  private static String take(List<String> args, String name) {
    int i = args.indexOf(name);
    if (i < 0) {
      return null;
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    String v = args.remove(i + 1);
    args.remove(i);
    return v;
  }
}
