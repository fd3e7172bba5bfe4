package io.airlock.gateway.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made at test time with the system's {@code openssl}: a CA, a server certificate
 * it signed for {@code localhost} and {@code 127.0.0.1}, and a second, unrelated CA. PEM files,
 * as an operator would hand them to Airlock.
 */
public record TestPki(Path caCert, Path serverCert, Path serverKey, Path otherCaCert) {

  public static TestPki create(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path ca = dir.resolve("ca.pem");
    Path caKey = dir.resolve("ca.key");
    Path other = dir.resolve("other-ca.pem");
    Path serverKey = dir.resolve("server.key");
    Path csr = dir.resolve("server.csr");
    Path server = dir.resolve("server.pem");
    Path ext = dir.resolve("san.ext");
    Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", caKey.toString(),
        "-out", ca.toString(), "-days", "2", "-subj", "/CN=Airlock Test CA");
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        dir.resolve("other-ca.key").toString(), "-out", other.toString(), "-days", "2", "-subj", "/CN=Someone Else CA");
    openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", serverKey.toString(),
        "-out", csr.toString(), "-subj", "/CN=localhost");
    openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(), "-CAcreateserial",
        "-out", server.toString(), "-days", "2", "-extfile", ext.toString());
    return new TestPki(ca, server, serverKey, other);
  }

  /** A certificate and key this CA signed. */
  public record Issued(Path cert, Path key) {}

  /**
   * Another certificate from this CA, e.g. for a host name the test does not connect to.
   *
   * @param san the subjectAltName value, e.g. {@code DNS:redis.elsewhere.example}
   */
  public Issued issue(String name, String cn, String san) throws Exception {
    Path dir = caCert.getParent();
    Path key = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".pem");
    Path ext = dir.resolve(name + ".ext");
    Files.writeString(ext, "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth,clientAuth\n");
    openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(),
        "-out", csr.toString(), "-subj", "/CN=" + cn);
    openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", dir.resolve("ca.key").toString(),
        "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
    return new Issued(cert, key);
  }

  /** The leaf certificate of a PEM file. */
  public static X509Certificate certificate(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** An SSL context trusting only the CAs in {@code caPems}, for test clients. */
  public static SSLContext trusting(String protocol, Path... caPems) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    for (int i = 0; i < caPems.length; i++) {
      ks.setCertificateEntry("ca" + i, certificate(caPems[i]));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance(protocol);
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** An SSL context trusting only {@code caPem}, for test clients. */
  public static SSLContext trusting(Path caPem, String protocol) throws Exception {
    return trusting(protocol, caPem);
  }

  /** Runs openssl; returns its combined output and exit status. */
  public static Result run(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("openssl " + args[0] + " did not finish");
    }
    return new Result(p.exitValue(), out);
  }

  public record Result(int exit, String output) {}

  private static void openssl(Path dir, String... args) throws Exception {
    Result r = run(dir, args);
    if (r.exit() != 0) {
      throw new AssertionError("openssl " + String.join(" ", args) + " failed (exit " + r.exit() + "):\n" + r.output());
    }
  }
}
