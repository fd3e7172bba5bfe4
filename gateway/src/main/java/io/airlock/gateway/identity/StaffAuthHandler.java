package io.airlock.gateway.identity;

import io.airlock.policy.staff.Staff;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards control-plane routes: exactly one {@code Authorization: Bearer <token>}, verified by the
 * configured {@link StaffAuthenticator}; the staff member goes into the routing context under
 * {@link #STAFF}, everything else ends as 401 {@code unauthenticated} with {@code
 * WWW-Authenticate: Bearer} (RFC 6750: no error code when no token came, {@code invalid_token}
 * when one did).
 *
 * <p>Mount it after the body handler, or on routes without bodies: it pauses the request while
 * the token is verified, so a body is not lost, but only a body handler reads it afterwards.
 */
public final class StaffAuthHandler implements Handler<RoutingContext> {
  public static final String STAFF = "staff";
  private static final Logger log = LoggerFactory.getLogger(StaffAuthHandler.class);

  private final StaffAuthenticator authenticator;

  private StaffAuthHandler(StaffAuthenticator authenticator) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  public static StaffAuthHandler create(StaffAuthenticator authenticator) {
    return new StaffAuthHandler(authenticator);
  }

  /**
   * The authenticated staff member of this request.
   *
   * @throws IllegalStateException when the route is not behind this handler (a wiring bug)
   */
  public static Staff staff(RoutingContext ctx) {
    Staff s = ctx.get(STAFF);
    if (s == null) {
      throw new IllegalStateException(
          "no authenticated staff on " + ctx.request().path() + ": route is not behind StaffAuthHandler");
    }
    return s;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    List<String> values = req.headers().getAll(HttpHeaders.AUTHORIZATION);
    if (values.isEmpty()) {
      refuse(ctx, "Bearer", "missing Authorization: Bearer staff token");
      return;
    }
    if (values.size() > 1) {
      refuse(ctx, "Bearer error=\"invalid_request\"", "more than one Authorization header");
      return;
    }
    String v = values.get(0);
    int sp = v.indexOf(' ');
    String scheme = sp < 0 ? v : v.substring(0, sp);
    String token = sp < 0 ? "" : v.substring(sp + 1).strip();
    if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
      refuse(ctx, "Bearer error=\"invalid_request\"", "Authorization must use the Bearer scheme");
      return;
    }
    if (token.isEmpty() || token.indexOf(' ') >= 0) {
      refuse(ctx, "Bearer error=\"invalid_request\"", "Authorization: Bearer needs exactly one token");
      return;
    }
    boolean paused = !req.isEnded();
    if (paused) {
      req.pause();
    }
    authenticator.authenticate(token).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put(STAFF, ar.result());
        // whoever reads the body (a body handler) resumes the request
        ctx.next();
        return;
      }
      if (paused) {
        // drain what the client still sends, so the connection can carry the next request
        req.resume();
      }
      Throwable e = ar.cause();
      if (e instanceof Unauthenticated) {
        refuse(ctx, "Bearer error=\"invalid_token\"", e.getMessage());
      } else {
        log.error("staff authentication failed unexpectedly", e);
        ErrorBodies.send(ctx, 500, "internal_error", "staff authentication failed");
      }
    });
  }

  private static void refuse(RoutingContext ctx, String challenge, String message) {
    ctx.response().putHeader("WWW-Authenticate", challenge);
    ErrorBodies.send(ctx, 401, "unauthenticated", message);
  }
}
