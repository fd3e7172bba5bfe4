package io.airlock.gateway.attribution;

import java.nio.file.Path;

/** An attribution key file that cannot be used; the message names the file and the fix. */
public final class AttributionKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  AttributionKeyException(Path file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
