package io.airlock.gateway.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Threads reading one URL with one grant until stopped, for tests that kill or stop a gateway
 * under load: every 200 the caller accepts is remembered by its {@code X-Airlock-Request-Id}.
 */
public final class GrantLoad implements AutoCloseable {
  /** What one thread does with an answer or a failure; return true to count a 200 as acknowledged. */
  public interface Outcome {
    boolean answered(HttpResponse<String> response);

    void failed(Exception e);
  }

  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final ExecutorService threads;

  private GrantLoad(int n) {
    threads = Executors.newFixedThreadPool(n);
  }

  public static GrantLoad start(
      HttpClient http, String url, String grant, int threads, Duration timeout, Outcome outcome) {
    GrantLoad load = new GrantLoad(threads);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + grant).timeout(timeout).build();
    for (int i = 0; i < threads; i++) {
      load.threads.submit(
          () -> {
            while (!load.stop.get()) {
              try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (outcome.answered(r)) {
                  load.acknowledged.add(r.headers().firstValue("X-Airlock-Request-Id").orElseThrow());
                }
              } catch (Exception e) {
                outcome.failed(e);
              }
            }
            return null;
          });
    }
    return load;
  }

  /** The request ids of the 200s acknowledged so far (live view). */
  public Set<String> acknowledged() {
    return acknowledged;
  }

  /** Waits until at least {@code n} reads were acknowledged; fails naming what it waited for. */
  public void awaitAcknowledged(int n, Duration timeout, String what) {
    Poll.until(what + " (" + n + " acknowledged reads)", timeout, () -> acknowledged.size() >= n);
  }

  /** Stops the threads and waits for them. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    threads.shutdown();
    if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new AssertionError("load threads did not stop within 30 s");
    }
  }
}
