package io.airlock.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.gateway.testing.TestPki;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.DataPlaneConfig;
import io.airlock.policy.config.ListenerConfig;
import io.airlock.policy.config.TlsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pair a node checks at start-up is the pair its listeners serve and the pair it reports,
 * even when the files change in between (cert-manager mid-rotation while the node starts).
 */
class CertificatesAtStartTest {
  @TempDir Path dir;

  @Test
  void aRotationHalfDoneDuringStartUpIsNotServedTheCheckedPairIs() throws Exception {
    TestPki first = TestPki.create(dir.resolve("pki-1"));
    TestPki next = TestPki.create(dir.resolve("pki-2"));
    Path certFile = Files.createDirectories(dir.resolve("tls")).resolve("node.pem");
    Path keyFile = dir.resolve("tls/node.key");
    Files.copy(first.serverCert(), certFile);
    Files.copy(first.serverKey(), keyFile);
    BigInteger checked = TestPki.certificate(first.serverCert()).getSerialNumber();
    SSLContext trustsBoth = TestPki.trusting("TLS", first.caCert(), next.caCert());

    // SIGHUP only: no watcher poll may change what is served during the test
    TlsConfig tls = new TlsConfig(certFile, keyFile, Duration.ZERO);
    Runnable rotationStarts = () -> {
      try {
        // the new certificate is written, its key is not yet: files that belong to no pair
        Files.write(certFile, Files.readAllBytes(next.serverCert()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    try (RecordingBackend backend = RecordingBackend.start();
        AirlockNode node = AirlockNode.start(withTls(TestConfigs.config(dir, backend.uri()), tls), Clock.systemUTC(), rotationStarts)) {
      assertThat(handshake(trustsBoth, node.dataPlanePort()).getSerialNumber()).as("data plane serves").isEqualTo(checked);
      assertThat(handshake(trustsBoth, node.controlPlanePort()).getSerialNumber()).as("control plane serves").isEqualTo(checked);
      assertThat(node.servedCertificates().values()).extracting(X509Certificate::getSerialNumber).containsOnly(checked);
    }
  }

  private static AirlockConfig withTls(AirlockConfig c, TlsConfig tls) {
    DataPlaneConfig d = c.dataPlane();
    return c.withListeners(
        new DataPlaneConfig(d.host(), d.port(), d.maxRequestBodyBytes(), d.maxHeaderBytes(), d.maxUriLength(),
            d.backendConnectTimeout(), d.backendResponseTimeout(), d.corsOrigins(), Optional.of(tls)),
        new ListenerConfig(c.controlPlane().host(), c.controlPlane().port(), Optional.of(tls)),
        c.routes());
  }

  /** The certificate a brand-new TLS connection is given. */
  private static X509Certificate handshake(SSLContext trust, int port) throws Exception {
    try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }
}
