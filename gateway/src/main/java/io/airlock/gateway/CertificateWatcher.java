package io.airlock.gateway;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls each listener's certificate and key files every {@code tls.watchInterval} on a thread of
 * its own (file reads and PEM parsing stay off the event loops), so a certificate renewed on disk
 * (cert-manager, certbot, a Kubernetes Secret update) is served without SIGHUP. Polling rather
 * than a WatchService: it sees the symlink swaps of Kubernetes Secret volumes and works on every
 * filesystem, at the cost of reading two small files every few seconds.
 */
final class CertificateWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateWatcher.class);

  private final ScheduledExecutorService timer;

  CertificateWatcher(List<ListenerCertificates> listeners) {
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "airlock-certificate-watch");
      t.setDaemon(true);
      return t;
    });
    for (ListenerCertificates l : listeners) {
      long every = l.config().watchInterval().toMillis();
      if (every > 0) {
        timer.scheduleWithFixedDelay(() -> pollQuietly(l), every, every, TimeUnit.MILLISECONDS);
      }
    }
  }

  // an exception would end the schedule for good: log it and poll again next time
  private static void pollQuietly(ListenerCertificates l) {
    try {
      l.poll();
    } catch (RuntimeException e) {
      log.error("certificate watch of {} failed: {}", l.config().certFile(), e.toString());
    }
  }

  /** Lets a reload in progress finish (each is bounded), then stops polling. */
  @Override
  public void close() {
    timer.shutdown();
    try {
      if (!timer.awaitTermination(35, TimeUnit.SECONDS)) {
        timer.shutdownNow();
      }
    } catch (InterruptedException e) {
      timer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
