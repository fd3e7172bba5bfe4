package io.airlock.gateway;

import io.airlock.policy.config.TlsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate and key one listener serves, and the one way to replace them: on SIGHUP and
 * when the watcher sees the files change. A new pair is read once, checked (both parse, the key
 * belongs to the certificate, the certificate is valid now) and only then handed to Vert.x as the
 * bytes that were checked ({@code HttpServer.updateSSLOptions}: new handshakes get the new
 * certificate, open connections keep theirs). Anything else (a half-written file, a key from
 * another pair, an expired certificate) leaves the listener serving what it served, logs an
 * error naming the file and the config key, and is tried again on the next change or poll.
 */
final class ListenerCertificates {
  private static final Logger log = LoggerFactory.getLogger(ListenerCertificates.class);
  private static final Map<String, String> SIGNATURE_FOR_KEY =
      Map.of("EC", "SHA256withECDSA", "RSA", "SHA256withRSA", "Ed25519", "Ed25519", "EdDSA", "Ed25519");

  private final Vertx vertx;
  private final String nodeId;
  private final String listener;
  private final TlsConfig tls;
  private final boolean http11Only;
  private final Supplier<List<HttpServer>> servers;
  private final Clock clock;
  private final Counter reloaded;
  private final Counter refused;
  // what the listener serves; only replaced under this object's lock
  private volatile Loaded serving;
  private String lastRefusal;

  /** The files' identity and the parsed leaf: what a poll compares and what the log shows. */
  record Loaded(Fingerprint fingerprint, Buffer cert, Buffer key, X509Certificate leaf) {
    TlsFiles.CheckedPair pair() {
      return new TlsFiles.CheckedPair(cert, key);
    }

    String describe() {
      return leaf.getSubjectX500Principal().getName() + " (serial " + leaf.getSerialNumber().toString(16)
          + ", not after " + leaf.getNotAfter().toInstant() + ")";
    }
  }

  /** Modification time, size and content hash of both files. */
  record Fingerprint(long certModified, long certSize, long keyModified, long keySize, String sha256) {}

  /** A pair that cannot be served, with the config key and file to blame. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Reads and checks the pair the listener starts with.
   *
   * @param listener {@code dataPlane} or {@code controlPlane}, the config section
   * @throws IllegalStateException naming file, key and problem when the pair cannot be served
   */
  ListenerCertificates(
      Vertx vertx, String nodeId, String listener, TlsConfig tls, boolean http11Only, Supplier<List<HttpServer>> servers,
      MeterRegistry registry, Clock clock) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.listener = listener;
    this.tls = tls;
    this.http11Only = http11Only;
    this.servers = servers;
    this.clock = clock;
    try {
      this.serving = check(read());
    } catch (Refused e) {
      throw new RefusedToStart("refusing to start: " + e.getMessage(), e);
    }
    this.reloaded = Counter.builder("airlock.tls.reloads").tag("listener", listener).tag("outcome", "reloaded")
        .description("certificate reloads of a listener, by outcome").register(registry);
    this.refused = Counter.builder("airlock.tls.reloads").tag("listener", listener).tag("outcome", "refused")
        .description("certificate reloads of a listener, by outcome").register(registry);
    Gauge.builder("airlock.tls.certificate.not.after", this, c -> c.serving.leaf().getNotAfter().getTime() / 1000.0)
        .tag("listener", listener).baseUnit("seconds")
        .description("expiry of the certificate a listener serves, as a Unix time").register(registry);
  }

  TlsConfig config() {
    return tls;
  }

  /** {@code dataPlane} or {@code controlPlane}. */
  String listener() {
    return listener;
  }

  /** The leaf certificate new handshakes get. */
  X509Certificate serving() {
    return serving.leaf();
  }

  /** The bytes new handshakes are served: what a listener starts with. */
  TlsFiles.CheckedPair servingPair() {
    return serving.pair();
  }

  /** SIGHUP: reads the files whether or not they look changed. */
  synchronized boolean reload(String trigger) {
    try {
      return apply(check(read()), trigger, true);
    } catch (Refused e) {
      return refuse(e, trigger, true);
    }
  }

  /** One poll of the watcher: reloads when the files differ from what is served. */
  synchronized void poll() {
    try {
      PairBytes files = read();
      if (!files.fingerprint().equals(serving.fingerprint())) {
        apply(check(files), "file change", false);
      }
    } catch (Refused e) {
      refuse(e, "file change", false);
    }
  }

  private boolean apply(Loaded next, String trigger, boolean alwaysLog) {
    Loaded previous = serving;
    List<Future<Boolean>> updates = new ArrayList<>();
    for (HttpServer s : servers.get()) {
      updates.add(s.updateSSLOptions(TlsFiles.reloaded(next.pair(), http11Only), true));
    }
    try {
      Future.all(updates).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      return refuse(new Refused("the listener did not take the new pair: " + e, e), trigger, alwaysLog);
    }
    serving = next;
    lastRefusal = null;
    reloaded.increment();
    log.info("node {}: {} TLS certificate reloaded ({}): was {}, now {}", nodeId, listener, trigger,
        previous.describe(), next.describe());
    return true;
  }

  private boolean refuse(Refused e, String trigger, boolean alwaysLog) {
    // a broken pair stays broken until someone writes the files again: one error per problem, not
    // per poll (polling goes on: a certificate not valid yet becomes valid without a write)
    if (alwaysLog || !e.getMessage().equals(lastRefusal)) {
      refused.increment();
      log.error("node {}: {} TLS certificate NOT reloaded ({}): {}; still serving {}; trying again on the next {}",
          nodeId, listener, trigger, e.getMessage(), serving.describe(),
          tls.watchInterval().isZero() ? "SIGHUP" : "poll (every " + tls.watchInterval().toMillis() + " ms)");
    }
    lastRefusal = e.getMessage();
    return false;
  }

  /** Both files as read once: the bytes checked are the bytes served. */
  private record PairBytes(Fingerprint fingerprint, byte[] cert, byte[] key) {}

  /** Reads both files. Blocking. */
  private PairBytes read() throws Refused {
    Path certFile = tls.certFile();
    Path keyFile = tls.keyFile();
    BasicFileAttributes ca = attributes(certFile, "certFile");
    BasicFileAttributes ka = attributes(keyFile, "keyFile");
    byte[] cert = bytes(certFile, "certFile");
    byte[] key = bytes(keyFile, "keyFile");
    return new PairBytes(new Fingerprint(ca.lastModifiedTime().toMillis(), cert.length, ka.lastModifiedTime().toMillis(),
        key.length, sha256(cert, key)), cert, key);
  }

  private Loaded check(PairBytes files) throws Refused {
    Path certFile = tls.certFile();
    byte[] cert = files.cert();
    byte[] key = files.key();
    X509Certificate leaf;
    try {
      var chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(cert));
      if (chain.isEmpty()) {
        throw problem("certFile", certFile, "holds no PEM certificate", null);
      }
      leaf = (X509Certificate) chain.iterator().next();
    } catch (CertificateException e) {
      throw problem("certFile", certFile, "is not a PEM certificate chain (" + e.getMessage() + ")", e);
    }
    PrivateKey privateKey = privateKey(Buffer.buffer(cert), Buffer.buffer(key), leaf);
    requireMatch(privateKey, leaf);
    Instant now = clock.instant();
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      throw problem("certFile", certFile, "certificate expired at " + leaf.getNotAfter().toInstant(), null);
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      throw problem("certFile", certFile, "certificate is not valid before " + leaf.getNotBefore().toInstant(), null);
    }
    return new Loaded(files.fingerprint(), Buffer.buffer(cert), Buffer.buffer(key), leaf);
  }

  /** The key as Vert.x itself parses it (PKCS#8, PKCS#1 or SEC1 PEM), so what passes here is what it serves. */
  private PrivateKey privateKey(Buffer cert, Buffer key, X509Certificate leaf) throws Refused {
    PemKeyCertOptions pem = new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
    try {
      KeyStore store = pem.loadKeyStore(vertx);
      if (Collections.list(store.aliases()).isEmpty()) {
        throw problem("keyFile", tls.keyFile(), "holds no private key", null);
      }
      for (KeyManager km : pem.getKeyManagerFactory(vertx).getKeyManagers()) {
        if (km instanceof X509KeyManager x) {
          String[] aliases = x.getServerAliases(leaf.getPublicKey().getAlgorithm(), null);
          if (aliases != null && aliases.length > 0) {
            return x.getPrivateKey(aliases[0]);
          }
        }
      }
      throw problem("keyFile", tls.keyFile(), "is not a " + leaf.getPublicKey().getAlgorithm()
          + " private key, which the certificate in " + tls.certFile() + " needs", null);
    } catch (Refused r) {
      throw r;
    } catch (Exception e) {
      throw problem("keyFile", tls.keyFile(), "is not a PEM private key (" + e.getMessage() + ")", e);
    }
  }

  /** A signature the certificate's public key verifies: the key belongs to this certificate. */
  private void requireMatch(PrivateKey key, X509Certificate leaf) throws Refused {
    String algorithm = SIGNATURE_FOR_KEY.get(key.getAlgorithm());
    if (algorithm == null) {
      return; // a key type without a known signature scheme: Vert.x still refuses it if unusable
    }
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(challenge);
      if (verifier.verify(sig)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another type or curve than the certificate's: not a match either
    }
    throw problem("keyFile", tls.keyFile(), "does not belong to the certificate in " + tls.certFile()
        + " (replace both files of a pair; a half-done rotation is picked up once both are written)", null);
  }

  private byte[] bytes(Path file, String key) throws Refused {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw problem(key, file, "cannot be read (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private BasicFileAttributes attributes(Path file, String key) throws Refused {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      throw problem(key, file, "cannot be read (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private Refused problem(String key, Path file, String what, Throwable cause) {
    return new Refused("airlock.yaml: " + listener + ".tls." + key + ": " + file + " " + what, cause);
  }

  private static String sha256(byte[] a, byte[] b) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(a);
      d.update(b);
      return HexFormat.of().formatHex(d.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
