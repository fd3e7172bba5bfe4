package io.airlock.gateway.attribution;

/**
 * An attribution key that cannot be used; the message names where it comes from (the file, or
 * the environment variable by name) and the fix, never the key.
 */
public final class AttributionKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  AttributionKeyException(String where, String message) {
    super(where + ": " + message);
  }
}
