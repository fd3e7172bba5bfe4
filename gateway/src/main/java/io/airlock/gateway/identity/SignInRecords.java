package io.airlock.gateway.identity;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@link OidcSignIn} keeps in the {@link io.airlock.policy.port.SignInStore}, and how it is
 * written there (JSON). Only what the next step needs: the browser binding is kept as its SHA-256
 * digest, so a reader of the store cannot recreate the cookie, and a signed-in outcome holds the
 * verified ID token and the names and roles it gave, nothing from the provider besides.
 */
final class SignInRecords {
  private SignInRecords() {}

  /** One sign-in between login and callback, found by its state. */
  record Attempt(String verifier, String nonce, String browser) {
    String encode() {
      return new JsonObject().put("verifier", verifier).put("nonce", nonce).put("browser", browser).encode();
    }

    static Optional<Attempt> decode(String json) {
      return parse(json).map(o -> new Attempt(o.getString("verifier"), o.getString("nonce"), o.getString("browser")))
          .filter(a -> a.verifier() != null && a.nonce() != null && a.browser() != null);
    }
  }

  /** How a callback ended, waiting for the UI to collect it once. */
  sealed interface Outcome permits SignedIn, Failed {
    /** Digest of the browser-binding cookie the outcome belongs to; null: anyone may read it. */
    String browser();

    String encode();

    static Optional<Outcome> decode(String json) {
      return parse(json).flatMap(o -> {
        try {
          Outcome out = switch (String.valueOf(o.getValue("outcome"))) {
            case "signed_in" -> new SignedIn(o.getString("browser"), o.getString("token"), o.getString("user"),
                strings(o.getJsonArray("roles")), strings(o.getJsonArray("teams")), Instant.parse(o.getString("expiresAt")));
            case "failed" -> new Failed(o.getString("browser"), o.getString("error"), o.getString("message"));
            default -> null;
          };
          return Optional.ofNullable(out);
        } catch (ClassCastException | NullPointerException | DateTimeException e) {
          return Optional.empty();
        }
      });
    }
  }

  record SignedIn(String browser, String token, String user, List<String> roles, List<String> teams, Instant expiresAt)
      implements Outcome {
    SignedIn {
      if (browser == null || token == null || user == null) {
        throw new NullPointerException("a signed-in outcome needs its browser, token and user");
      }
      roles = List.copyOf(roles);
      teams = List.copyOf(teams);
    }

    @Override
    public String encode() {
      return new JsonObject()
          .put("outcome", "signed_in")
          .put("browser", browser)
          .put("token", token)
          .put("user", user)
          .put("roles", new JsonArray(roles))
          .put("teams", new JsonArray(teams))
          .put("expiresAt", expiresAt.toString())
          .encode();
    }
  }

  /** Only server-written text: an outcome nobody's cookie binds can be read by anyone. */
  record Failed(String browser, String error, String message) implements Outcome {
    Failed {
      if (error == null || message == null) {
        throw new NullPointerException("a failed outcome needs its error and message");
      }
    }

    @Override
    public String encode() {
      return new JsonObject()
          .put("outcome", "failed")
          .put("browser", browser)
          .put("error", error)
          .put("message", message)
          .encode();
    }
  }

  private static Optional<JsonObject> parse(String json) {
    try {
      return Optional.of(new JsonObject(json));
    } catch (DecodeException | ClassCastException e) {
      return Optional.empty();
    }
  }

  private static List<String> strings(JsonArray a) {
    return a.stream().map(String.class::cast).toList();
  }
}
