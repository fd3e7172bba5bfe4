package io.airlock.policy.request;

import java.util.Locale;

/** Lifecycle of an access request. Only PENDING ever changes; every other state is final. */
public enum RequestState {
  PENDING,
  APPROVED,
  DENIED,
  EXPIRED,
  CANCELLED;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isFinal() {
    return this != PENDING;
  }
}
