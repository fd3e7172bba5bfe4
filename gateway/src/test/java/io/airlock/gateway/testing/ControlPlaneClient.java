package io.airlock.gateway.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Talks to a node's control plane as a signed-in demo user, JSON in and out. */
public final class ControlPlaneClient {
  /** A response: status and the parsed JSON body (object or array). */
  public record Reply(int status, Object body) {
    public JsonObject json() {
      return (JsonObject) body;
    }

    public JsonArray array() {
      return (JsonArray) body;
    }

    public String error() {
      return json().getString("error");
    }
  }

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final int port;
  private final String token;
  public final String user;

  private ControlPlaneClient(int port, String user, String token) {
    this.port = port;
    this.user = user;
    this.token = token;
  }

  /** Signs in through {@code POST /api/demo/login}. */
  public static ControlPlaneClient login(int port, String user) throws Exception {
    ControlPlaneClient anon = new ControlPlaneClient(port, null, null);
    Reply r = anon.post("/api/demo/login", new JsonObject().put("user", user));
    if (r.status() != 200) {
      throw new IllegalStateException("login as " + user + " failed: " + r);
    }
    return new ControlPlaneClient(port, user, r.json().getString("token"));
  }

  /** A client presenting an arbitrary bearer token (to test what the API refuses). */
  public static ControlPlaneClient withToken(int port, String token) {
    return new ControlPlaneClient(port, null, token);
  }

  public String token() {
    return token;
  }

  /**
   * A grant the ordinary way: {@code agent} asks for {@code clients} (ticket SUP-1234, 15
   * minutes), {@code approver} approves, the agent fetches its token.
   */
  public static String approvedGrant(ControlPlaneClient agent, ControlPlaneClient approver, String... clients) throws Exception {
    Reply asked = agent.post("/api/requests", new JsonObject()
        .put("ticket", "SUP-1234")
        .put("clients", new JsonArray(java.util.List.of((Object[]) clients)))
        .put("reason", "customer called about a failed card payment")
        .put("durationMinutes", 15));
    if (asked.status() != 201) {
      throw new IllegalStateException("request by " + agent.user + " refused: " + asked);
    }
    String id = asked.json().getString("id");
    Reply approved = approver.post("/api/requests/" + id + "/approve", new JsonObject().put("comment", "ok"));
    if (approved.status() != 200) {
      throw new IllegalStateException("approval by " + approver.user + " refused: " + approved);
    }
    return agent.get("/api/requests/" + id).json().getJsonObject("grant").getString("token");
  }

  public Reply get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public Reply post(String path, JsonObject body) throws Exception {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.encode())));
  }

  public Reply postRaw(String path, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private Reply send(HttpRequest.Builder b) throws Exception {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    String s = r.body().trim();
    Object body = s.isEmpty() ? new JsonObject() : s.startsWith("[") ? new JsonArray(s) : s.startsWith("{") ? new JsonObject(s) : new JsonObject().put("raw", s);
    return new Reply(r.statusCode(), body);
  }
}
