package io.airlock.gateway.store.redis;

/** Redis could not be reached or did not answer; callers fail closed. */
public final class RedisUnavailableException extends RuntimeException {
  public RedisUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
