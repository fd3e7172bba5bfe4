package io.airlock.gateway.dataplane;

import io.airlock.policy.grant.Grant;
import io.vertx.core.Future;

/** Verifies a bearer grant; fails with a {@code Denied} of the grant_* or rate-limit reasons. */
@FunctionalInterface
public interface GrantAuthenticator {
  Future<Grant> authenticate(String token, String clientAddress);
}
