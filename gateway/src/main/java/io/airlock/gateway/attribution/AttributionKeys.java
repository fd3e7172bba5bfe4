package io.airlock.gateway.attribution;

import io.airlock.policy.config.SecretSource;
import io.airlock.policy.config.SecretsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two attribution secrets, read from where {@code secrets.*} says (a file or an environment
 * variable, never YAML): the watermark MAC key and the masking key the per-agent {@code hmac}
 * keys derive from. Each is at least 32 random bytes as base64 (or base64url) text.
 *
 * <p>Outside demo mode a missing file, or one that group or others may read, stops the node
 * (naming the file): a key others can read attributes nothing. In demo mode missing files are
 * generated with 0600.
 */
public record AttributionKeys(byte[] watermarkKey, byte[] maskingKey) {
  private static final Logger log = LoggerFactory.getLogger(AttributionKeys.class);
  static final int MIN_BYTES = 32;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  public AttributionKeys {
    watermarkKey = watermarkKey.clone();
    maskingKey = maskingKey.clone();
  }

  /** Blocking file I/O: start-up only. Generates missing files in demo mode. */
  public static AttributionKeys load(SecretsConfig config) {
    return load(config, config.generateMissing());
  }

  /**
   * The keys as they are, never generated (the command line: a key made up now would verify
   * nothing). Permissions are still only enforced outside demo mode.
   */
  public static AttributionKeys loadExisting(SecretsConfig config) {
    return load(config, false);
  }

  private static AttributionKeys load(SecretsConfig config, boolean generate) {
    boolean strict = !config.generateMissing();
    return new AttributionKeys(
        read(config.watermarkKey(), "secrets.watermarkKey", generate, strict),
        read(config.maskingKey(), "secrets.maskingKey", generate, strict));
  }

  @Override
  public byte[] watermarkKey() {
    return watermarkKey.clone();
  }

  @Override
  public byte[] maskingKey() {
    return maskingKey.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AttributionKeys k && Arrays.equals(watermarkKey, k.watermarkKey) && Arrays.equals(maskingKey, k.maskingKey);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(watermarkKey) + Arrays.hashCode(maskingKey);
  }

  // keys stay out of logs
  @Override
  public String toString() {
    return "AttributionKeys[...]";
  }

  private static byte[] read(SecretSource source, String key, boolean generate, boolean strict) {
    if (source instanceof SecretSource.FromEnv env) {
      return decode(env.value(), key + "Env", "environment variable " + env.variable());
    }
    Path file = ((SecretSource.FromFile) source).path();
    String where = file.toString();
    try {
      if (generate && !Files.exists(file)) {
        generate(file);
        log.info("generated {} at {} (demo mode, 0600)", key + "File", file);
      }
      if (strict) {
        requireOwnerOnly(file, key + "File");
      }
      return decode(Files.readString(file, StandardCharsets.US_ASCII), key + "File", where);
    } catch (NoSuchFileException e) {
      throw new AttributionKeyException(where, key + "File: does not exist (create it with `openssl rand -base64 32`, mode 0600)");
    } catch (IOException e) {
      throw new AttributionKeyException(where, key + "File: cannot be read: " + e.getMessage());
    }
  }

  private static byte[] decode(String text, String key, String where) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(text.strip().replace('+', '-').replace('/', '_').replace("=", ""));
    } catch (IllegalArgumentException e) {
      // not the decoder's message: it quotes the offending character of the secret
      throw new AttributionKeyException(where, key + ": not base64 text");
    }
    if (bytes.length < MIN_BYTES) {
      throw new AttributionKeyException(
          where, key + ": holds " + bytes.length + " bytes, at least " + MIN_BYTES + " required (e.g. `openssl rand -base64 32`)");
    }
    return bytes;
  }

  private static void requireOwnerOnly(Path file, String key) throws IOException {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException notPosix) {
      return;
    }
    if (!OWNER_ONLY.containsAll(perms)) {
      throw new AttributionKeyException(
          file.toString(), key + ": permissions are " + PosixFilePermissions.toString(perms) + ", must be 0600 or stricter (chmod 600 " + file + ")");
    }
  }

  private static void generate(Path file) throws IOException {
    byte[] b = new byte[MIN_BYTES];
    new SecureRandom().nextBytes(b);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, Base64.getUrlEncoder().withoutPadding().encodeToString(b) + "\n", StandardCharsets.US_ASCII);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file);
    }
  }
}
