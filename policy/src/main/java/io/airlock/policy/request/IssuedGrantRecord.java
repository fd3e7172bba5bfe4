package io.airlock.policy.request;

import java.time.Instant;
import java.util.Objects;

/**
 * The grant an approved request produced. The signed token is kept so the requester (only) can
 * fetch it; identity is {@code jti}.
 */
public record IssuedGrantRecord(String jti, String token, Instant issuedAt, Instant expiresAt) {
  public IssuedGrantRecord {
    Objects.requireNonNull(jti, "jti");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
