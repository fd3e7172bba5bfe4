package io.airlock.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.AirlockNode;
import io.airlock.gateway.grant.GrantClaims;
import io.airlock.gateway.grant.GrantSigner;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.gateway.testing.TestPki;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.DataPlaneConfig;
import io.airlock.policy.config.ListenerConfig;
import io.airlock.policy.config.TlsConfig;
import io.airlock.policy.grant.Action;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 "Certificates are reloaded on file change without dropping connections": the node
 * watches its PEM files; a pair written over the old one is served to new handshakes within a
 * few polls while agents keep reading, and a broken or half-written pair is never served.
 */
class CertificateRotationTest {
  private static final Duration WATCH = Duration.ofMillis(200);
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir Path dir;
  private TestPki first;
  private TestPki next;
  private Path certFile;
  private Path keyFile;
  private SSLContext trustsBoth;

  @BeforeEach
  void certificates() throws Exception {
    first = TestPki.create(dir.resolve("pki-1"));
    next = TestPki.create(dir.resolve("pki-2"));
    Files.createDirectories(dir.resolve("tls"));
    certFile = dir.resolve("tls/node.pem");
    keyFile = dir.resolve("tls/node.key");
    Files.copy(first.serverCert(), certFile);
    Files.copy(first.serverKey(), keyFile);
    trustsBoth = TestPki.trusting("TLS", first.caCert(), next.caCert());
  }

  @Test
  void a_pair_written_over_the_served_one_under_load_reaches_new_handshakes_and_no_request_fails() throws Exception {
    try (RecordingBackend backend = RecordingBackend.start();
        AirlockNode node = AirlockNode.start(watched(TestConfigs.config(dir, backend.uri())), Clock.systemUTC())) {
      backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
      URI url = URI.create("https://localhost:" + node.dataPlanePort() + "/clients/c-0001");
      String token = grant(node);
      BigInteger newSerial = TestPki.certificate(next.serverCert()).getSerialNumber();

      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger okWithNewCertificate = new AtomicInteger();
      Queue<String> failures = new ConcurrentLinkedQueue<>();
      ExecutorService agents = Executors.newFixedThreadPool(6);
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        boolean reusesConnections = i < 4;
        running.add(agents.submit(() -> {
          HttpClient kept = HttpClient.newBuilder().sslContext(trustsBoth).build();
          while (!stop.get()) {
            // half the agents keep their connection open across the rotation, half handshake anew each time
            HttpClient http = reusesConnections ? kept : HttpClient.newBuilder().sslContext(trustsBoth).build();
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).header("Authorization", "Bearer " + token).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200 || !r.body().contains("Ada")) {
                failures.add(r.statusCode() + " " + r.body());
              } else {
                ok.incrementAndGet();
                if (!reusesConnections && served(r).equals(newSerial)) {
                  okWithNewCertificate.incrementAndGet();
                }
              }
            } catch (Exception e) {
              failures.add(e.toString());
            }
          }
          return null;
        }));
      }
      try {
        await("load is running", () -> ok.get() >= 60);
        // written in place, certificate first: for a moment the files hold a certificate and
        // someone else's key, or half a file, which must never be served
        Files.write(certFile, Files.readAllBytes(next.serverCert()));
        Files.write(keyFile, Files.readAllBytes(next.serverKey()));

        await("a new data-plane handshake presents the new certificate",
            () -> handshake(node.dataPlanePort()).getSerialNumber().equals(newSerial));
        await("a new control-plane handshake presents the new certificate",
            () -> handshake(node.controlPlanePort()).getSerialNumber().equals(newSerial));
        int atSwitch = ok.get();
        await("agents keep reading after the switch, some over new handshakes",
            () -> ok.get() >= atSwitch + 60 && okWithNewCertificate.get() >= 5);
      } finally {
        stop.set(true);
        for (Future<?> f : running) {
          f.get(30, TimeUnit.SECONDS);
        }
        agents.shutdown();
      }
      assertThat(failures).as("requests that failed during the rotation").isEmpty();
      assertThat(node.servedCertificates().get("dataPlane").getSerialNumber()).isEqualTo(newSerial);
      assertThat(metric(node, "airlock_tls_reloads_total{listener=\"dataPlane\",outcome=\"reloaded\"}")).isEqualTo(1);
      assertThat(metric(node, "airlock_tls_certificate_not_after_seconds{listener=\"dataPlane\"}"))
          .isEqualTo(TestPki.certificate(next.serverCert()).getNotAfter().getTime() / 1000);
    }
  }

  @Test
  void a_broken_pair_is_refused_and_the_served_certificate_stays_until_a_good_pair_arrives() throws Exception {
    try (RecordingBackend backend = RecordingBackend.start();
        AirlockNode node = AirlockNode.start(watched(TestConfigs.config(dir, backend.uri())), Clock.systemUTC())) {
      backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
      BigInteger oldSerial = TestPki.certificate(first.serverCert()).getSerialNumber();

      // the new certificate with the old key: a rotation half done
      Files.write(certFile, Files.readAllBytes(next.serverCert()));
      await("the mismatched pair is refused", () -> metric(node, "airlock_tls_reloads_total{listener=\"dataPlane\",outcome=\"refused\"}") >= 1);
      assertThat(handshake(node.dataPlanePort()).getSerialNumber()).isEqualTo(oldSerial);

      long refused = metric(node, "airlock_tls_reloads_total{listener=\"dataPlane\",outcome=\"refused\"}");
      Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
      await("the garbage key is refused", () -> metric(node, "airlock_tls_reloads_total{listener=\"dataPlane\",outcome=\"refused\"}") > refused);
      assertThat(handshake(node.dataPlanePort()).getSerialNumber()).isEqualTo(oldSerial);
      HttpResponse<String> still = HttpClient.newBuilder().sslContext(trustsBoth).build().send(
          HttpRequest.newBuilder(URI.create("https://localhost:" + node.dataPlanePort() + "/clients/c-0001"))
              .header("Authorization", "Bearer " + grant(node)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(still.statusCode()).as("still serving, with the previous certificate").isEqualTo(200);

      Files.write(keyFile, Files.readAllBytes(next.serverKey()));
      BigInteger newSerial = TestPki.certificate(next.serverCert()).getSerialNumber();
      await("the completed pair is served", () -> handshake(node.dataPlanePort()).getSerialNumber().equals(newSerial));
    }
  }

  private AirlockConfig watched(AirlockConfig c) {
    TlsConfig tls = new TlsConfig(certFile, keyFile, WATCH);
    DataPlaneConfig d = c.dataPlane();
    return c.withListeners(
        new DataPlaneConfig(d.host(), d.port(), d.maxRequestBodyBytes(), d.maxHeaderBytes(), d.maxUriLength(),
            d.backendConnectTimeout(), d.backendResponseTimeout(), d.corsOrigins(), Optional.of(tls)),
        new ListenerConfig(c.controlPlane().host(), c.controlPlane().port(), Optional.of(tls)),
        c.routes());
  }

  /** The certificate a brand-new TLS connection is given. */
  private X509Certificate handshake(int port) throws Exception {
    try (SSLSocket s = (SSLSocket) trustsBoth.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  private static BigInteger served(HttpResponse<?> r) throws Exception {
    return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
  }

  /** One sample of the node's Prometheus text, 0 when absent. */
  private long metric(AirlockNode node, String series) throws Exception {
    String text = HttpClient.newBuilder().sslContext(trustsBoth).build().send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + node.controlPlanePort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.E+]+)$").matcher(text);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  private static void await(String what, Check check) throws Exception {
    Instant deadline = Instant.now().plus(DEADLINE);
    while (!check.holds()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
      }
      RedisSupport.pause();
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static String grant(AirlockNode node) {
    return new GrantSigner(node.keys(), TestConfigs.ISSUER, Clock.systemUTC())
        .sign(new GrantClaims("alice", "SUP-1", List.of("c-0001"), Set.of(Action.READ), Set.of(), "req-1", List.of("maria"),
            node.revocations().epoch(), Duration.ofMinutes(5)))
        .token();
  }
}
