package io.airlock.gateway.dataplane;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.airlock.policy.grant.Action;
import io.vertx.core.Future;

/** Step 6: the client in the path is one the grant names, and the method is a granted action. */
final class ScopeCheck implements Stage {
  @Override
  public Future<Exchange> apply(Exchange ex) {
    String client = ex.match().clientId();
    Action action = Action.forMethod(ex.request().method().name());
    if (!ex.grant().clients().contains(client)) {
      throw new Denied(Reason.OUT_OF_SCOPE, "grant does not cover client " + client);
    }
    if (!ex.grant().actions().contains(action)) {
      throw new Denied(Reason.OUT_OF_SCOPE, "grant does not allow " + action.code());
    }
    return Future.succeededFuture(ex);
  }
}
