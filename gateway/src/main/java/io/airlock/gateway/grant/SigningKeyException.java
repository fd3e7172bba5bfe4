package io.airlock.gateway.grant;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A grant signing key cannot be loaded or generated. The message names the file (when there is
 * one) and what is wrong with it, never the key material, so it can go straight to the console.
 */
public final class SigningKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  SigningKeyException(Path file, String problem) {
    super(file == null ? problem : "grant key file " + file + ": " + problem);
    this.file = file;
  }

  SigningKeyException(Path file, String problem, Throwable cause) {
    super(file == null ? problem : "grant key file " + file + ": " + problem, cause);
    this.file = file;
  }

  /** The offending file, absent for errors about the key list as a whole. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }
}
