package io.airlock.gateway;

/**
 * The node will not start with the files its configuration names (unreadable, exposed or
 * half-written key and certificate files): fixing them, not restarting, is what helps, so
 * {@code Main} exits 78 and the systemd unit does not restart on it.
 */
public final class RefusedToStart extends IllegalStateException {
  public RefusedToStart(String message) {
    super(message);
  }

  public RefusedToStart(String message, Throwable cause) {
    super(message, cause);
  }
}
