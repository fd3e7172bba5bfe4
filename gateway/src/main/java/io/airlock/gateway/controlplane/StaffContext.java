package io.airlock.gateway.controlplane;

import io.airlock.policy.staff.Role;
import io.airlock.policy.staff.Staff;
import io.vertx.ext.web.RoutingContext;

/** The authenticated staff member of a control-plane request (put there by the auth handler). */
public final class StaffContext {
  public static final String KEY = "staff";

  private StaffContext() {}

  public static Staff staff(RoutingContext ctx) {
    Staff s = ctx.get(KEY);
    if (s == null) {
      throw new ApiError(401, "unauthenticated", "send a staff token as 'Authorization: Bearer <token>'");
    }
    return s;
  }

  /** The caller, if they hold one of {@code roles}; 403 naming the roles otherwise. */
  public static Staff require(RoutingContext ctx, Role... roles) {
    Staff s = staff(ctx);
    for (Role r : roles) {
      if (s.has(r)) {
        return s;
      }
    }
    StringBuilder names = new StringBuilder();
    for (Role r : roles) {
      names.append(names.length() == 0 ? "" : " or ").append(r.code());
    }
    throw ApiError.forbidden("this needs the " + names + " role");
  }
}
