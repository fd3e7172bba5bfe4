package io.airlock.gateway.controlplane;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Strict reading of control-plane request bodies: a JSON object with only the expected keys,
 * each of the expected type; every refusal names the field.
 */
final class JsonBodies {
  private JsonBodies() {}

  static JsonObject object(RoutingContext ctx, Set<String> allowed) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    if (body == null || body.isBlank()) {
      if (allowed.isEmpty()) {
        return new JsonObject();
      }
      body = "{}";
    }
    JsonObject o;
    try {
      Object v = io.vertx.core.json.Json.decodeValue(body);
      if (!(v instanceof JsonObject)) {
        throw ApiError.badRequest("body", "must be a JSON object");
      }
      o = (JsonObject) v;
    } catch (DecodeException e) {
      throw ApiError.badRequest("body", "is not valid JSON");
    }
    for (String k : o.fieldNames()) {
      if (!allowed.contains(k)) {
        throw ApiError.badRequest(k, "unknown field (allowed: " + String.join(", ", allowed) + ")");
      }
    }
    return o;
  }

  static String string(JsonObject o, String field, boolean required) {
    Object v = o.getValue(field);
    if (v == null) {
      if (required) {
        throw ApiError.badRequest(field, "is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw ApiError.badRequest(field, "must be a string");
    }
    return s;
  }

  static Integer integer(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Integer || v instanceof Long) ) {
      throw ApiError.badRequest(field, "must be an integer");
    }
    long n = ((Number) v).longValue();
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      throw ApiError.badRequest(field, "is out of range");
    }
    return (int) n;
  }

  static boolean bool(JsonObject o, String field, boolean dflt) {
    Object v = o.getValue(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Boolean b)) {
      throw ApiError.badRequest(field, "must be true or false");
    }
    return b;
  }

  static List<String> strings(JsonObject o, String field, boolean required) {
    Object v = o.getValue(field);
    if (v == null) {
      if (required) {
        throw ApiError.badRequest(field, "is required");
      }
      return List.of();
    }
    if (!(v instanceof JsonArray a)) {
      throw ApiError.badRequest(field, "must be an array of strings");
    }
    List<String> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof String s)) {
        throw ApiError.badRequest(field + "[" + i + "]", "must be a string");
      }
      out.add(s);
    }
    return out;
  }
}
