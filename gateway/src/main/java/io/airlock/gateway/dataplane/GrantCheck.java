package io.airlock.gateway.dataplane;

import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import java.util.List;

/** Step 3: exactly one {@code Authorization: Bearer <grant>} header, verified. */
final class GrantCheck implements Stage {
  private static final String BEARER = "bearer ";
  private final GrantAuthenticator authenticator;

  GrantCheck(GrantAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public Future<Exchange> apply(Exchange ex) {
    List<String> values = ex.request().headers().getAll(HttpHeaders.AUTHORIZATION);
    if (values.isEmpty()) {
      throw new Denied(Reason.GRANT_MISSING, "send the grant as 'Authorization: Bearer <grant>'");
    }
    if (values.size() > 1) {
      throw new Denied(Reason.GRANT_INVALID, "more than one Authorization header");
    }
    String v = values.get(0);
    if (v.length() <= BEARER.length() || !v.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new Denied(Reason.GRANT_MISSING, "Authorization must use the Bearer scheme");
    }
    String token = v.substring(BEARER.length()).trim();
    return authenticator.authenticate(token, ex.clientAddress()).map(ex::withGrant);
  }
}
