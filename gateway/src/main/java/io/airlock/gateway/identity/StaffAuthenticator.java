package io.airlock.gateway.identity;

import io.airlock.policy.staff.Staff;
import io.vertx.core.Future;

/** Turns a control-plane bearer token into the staff member it was issued to. */
public interface StaffAuthenticator {
  /**
   * @param bearerToken the token after {@code Bearer }, never logged
   * @return the staff member, or a failed future carrying {@link Unauthenticated} (401)
   */
  Future<Staff> authenticate(String bearerToken);
}
