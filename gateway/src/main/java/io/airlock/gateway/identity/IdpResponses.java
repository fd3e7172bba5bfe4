package io.airlock.gateway.identity;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/** Reading what the identity provider answers without trusting its size. */
final class IdpResponses {
  private IdpResponses() {}

  /**
   * The body of a 200 answer, at most {@code maxBytes}; anything else fails and resets the
   * request, so a wrong URL pointing at something huge cannot fill the heap.
   *
   * @param what names the document in failure messages, e.g. "JWKS"
   */
  static Future<Buffer> body(HttpClientResponse resp, int maxBytes, String what) {
    if (resp.statusCode() != 200) {
      resp.request().reset();
      return Future.failedFuture("HTTP " + resp.statusCode());
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    resp.exceptionHandler(promise::tryFail);
    resp.handler(chunk -> {
      if (body.length() + chunk.length() > maxBytes) {
        promise.tryFail(what + " larger than " + maxBytes + " bytes");
        resp.request().reset();
      } else {
        body.appendBuffer(chunk);
      }
    });
    resp.endHandler(v -> promise.tryComplete(body));
    return promise.future();
  }
}
