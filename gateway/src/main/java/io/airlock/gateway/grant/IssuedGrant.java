package io.airlock.gateway.grant;

import java.time.Instant;

/** A freshly signed grant: the compact token plus what the control plane stores about it. */
public record IssuedGrant(String token, String jti, Instant expiresAt) {}
