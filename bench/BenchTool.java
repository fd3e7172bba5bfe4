// Helper for bench/run-all.sh, run as a single-file program on the gateway jar's classpath:
//   java -cp gateway/target/airlock.jar bench/BenchTool.java <command> ...
// Commands:
//   data DIR BIG_MB        record.json (demo client c-0001), tx-1m.json (~1 MB transaction list),
//                          big.json (~BIG_MB MB transaction list; 0 skips it)
//   tokens CONFIG N FILE   N distinct grants (agent alice, ticket SUP-1, clients c-0001,c-0002),
//                          minted by the same code as `airlock grant`, one per line
//   pem JWK FILE           the public half of an EC JWK as a PEM SubjectPublicKeyInfo (for HAProxy)
import com.nimbusds.jose.jwk.ECKey;
import io.airlock.gateway.config.ConfigLoader;
import io.airlock.gateway.demo.DemoData;
import io.airlock.gateway.demo.TransactionFeed;
import io.airlock.gateway.grant.GrantCli;
import io.airlock.gateway.grant.SigningKeys;
import io.airlock.policy.config.AirlockConfig;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;

public class BenchTool {
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "data" -> data(Path.of(args[1]), Integer.parseInt(args[2]));
      case "tokens" -> tokens(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
      case "pem" -> pem(Path.of(args[1]), Path.of(args[2]));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  static void data(Path dir, int bigMb) throws Exception {
    DemoData demo = DemoData.generate(42L);
    Files.createDirectories(dir);
    Files.write(dir.resolve("record.json"), padded(demo.clientJson("c-0001").orElseThrow(), 2048));
    writeFeed(demo, dir.resolve("tx-1m.json"), 1_000_000L);
    if (bigMb > 0) {
      writeFeed(demo, dir.resolve("big.json"), bigMb * 1_000_000L);
    }
  }

  /**
   * The demo record padded to about {@code target} bytes with more KYC documents and balances
   * (the demo's own records are ~700 bytes; the targets are for a 2 KB record).
   */
  static byte[] padded(byte[] json, int target) {
    StringBuilder s = new StringBuilder(new String(json, StandardCharsets.UTF_8));
    for (int i = 0; s.length() < target; i++) {
      String anchor = i % 2 == 0 ? "\"documents\":[" : "\"balances\":[";
      String item = i % 2 == 0
          ? String.format("{\"type\":\"passport\",\"number\":\"P%07d\",\"issuer\":\"FR\",\"expires\":\"2031-01-01\"},", 1234567 + i)
          : String.format("{\"currency\":\"GBP\",\"amount\":\"%d.%02d\"},", 1000 + 37 * i, i % 100);
      int at = s.indexOf(anchor);
      if (at < 0) {
        throw new IllegalStateException("demo record has no " + anchor);
      }
      s.insert(at + anchor.length(), item);
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A transaction list of at least {@code bytes}: measured with a probe, then written once. */
  static void writeFeed(DemoData demo, Path file, long bytes) throws Exception {
    long probe = 0;
    TransactionFeed p = demo.transactions("c-0001", 2000).orElseThrow();
    while (!p.done()) {
      probe += p.next().length;
    }
    long count = Math.max(1, (long) Math.ceil(bytes / (probe / 2000.0)));
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too big");
    }
    TransactionFeed feed = demo.transactions("c-0001", (int) count).orElseThrow();
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      while (!feed.done()) {
        out.write(feed.next());
      }
    }
  }

  static void tokens(Path config, int n, Path file) throws Exception {
    AirlockConfig c = ConfigLoader.load(config);
    SigningKeys keys = SigningKeys.load(c.grants());
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < n; i++) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      // eight agents in turn: one agent may have only 32 exchanges in flight (429
      // too_many_in_flight), and wrk's 50 connections would otherwise measure cheap refusals
      String agent = "bench-agent-" + (i % 8);
      int rc = GrantCli.run(
          List.of("--agent", agent, "--ticket", "SUP-1", "--clients", "c-0001,c-0002",
              "--ttl", c.policy().maxGrantTtl().toMinutes() + "m"),
          keys, c.grants().issuer(), c.policy().maxGrantTtl(), Clock.systemUTC(), new PrintStream(buf, true, StandardCharsets.UTF_8),
          System.err);
      if (rc != 0) {
        throw new IllegalStateException("grant exited " + rc);
      }
      all.append(buf.toString(StandardCharsets.UTF_8).trim()).append('\n');
    }
    Files.writeString(file, all);
  }

  static void pem(Path jwk, Path file) throws Exception {
    ECKey key = ECKey.parse(Files.readString(jwk));
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.toECPublicKey().getEncoded());
    Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n");
  }
}
