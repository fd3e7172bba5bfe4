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
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.GrantsConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code airlock keys generate --kid K --out FILE} and {@code airlock keys list --config DIR}:
 * the operator's half of a signing-key rotation (docs/operations.md "Key rotation").
 */
public final class KeysCli {
  private static final Pattern KID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  static final String USAGE = String.join("\n",
      "usage: airlock keys generate --kid KID --out FILE   new EC P-256 signing key as a private JWK, mode 0600",
      "       airlock keys list [--config DIR]             configured kids, which one signs, file state");

  private KeysCli() {}

  /** @return 0 on success, 2 on bad arguments, 1 when the file cannot be written, 78 on a bad config */
  public static int run(List<String> args, Path defaultConfig, PrintStream out, PrintStream err) {
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
          return list(dir != null ? Path.of(dir) : defaultConfig, out, err);
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
    out.println("next: add { kid: " + kid + ", file: " + file.toAbsolutePath() + " } to grants.keys on every node,"
        + " restart them one by one, and only then set grants.activeKid: " + kid);
    return 0;
  }

  private static int list(Path dir, PrintStream out, PrintStream err) {
    AirlockConfig config;
    try {
      config = ConfigLoader.load(dir);
    } catch (ConfigException e) {
      err.println("airlock: configuration in " + dir.toAbsolutePath() + " is invalid:");
      err.println(e.getMessage());
      return 78;
    }
    GrantsConfig g = config.grants();
    for (GrantsConfig.KeyRef k : g.keys()) {
      out.println((k.kid().equals(g.activeKid()) ? "* " : "  ") + k.kid() + "  " + k.file() + "  " + state(k.file()));
    }
    out.println("(* signs new grants; every listed kid is published in JWKS and verifies grants it signed)");
    return 0;
  }

  /** What an operator needs to know about a key file, without printing any of it. */
  private static String state(Path file) {
    if (!Files.isRegularFile(file)) {
      return "[missing]";
    }
    String mode;
    try {
      mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    } catch (IOException | UnsupportedOperationException e) {
      mode = "?";
    }
    try {
      JWK jwk = JWK.parse(Files.readString(file, StandardCharsets.UTF_8));
      return "[" + (jwk.isPrivate() ? "private" : "public only") + ", " + mode + "]";
    } catch (Exception e) {
      return "[unreadable: " + e.getClass().getSimpleName() + ", " + mode + "]";
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
