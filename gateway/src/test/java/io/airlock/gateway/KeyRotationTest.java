package io.airlock.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.airlock.gateway.grant.KeysCli;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.MovableClock;
import io.airlock.gateway.testing.RecordingBackend;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.config.OidcConfig;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.config.RevocationConfig;
import io.airlock.policy.config.SecretSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 "Keys": a new kid is published before it signs and takes over at its {@code
 * activeFrom} on the node's clock, grants signed by the previous kid keep working while it is
 * configured, {@code airlock keys list} tells when a kid may go, and key files must be 0600.
 */
class KeyRotationTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void keys_generate_writes_a_private_p256_jwk_with_mode_0600_and_never_overwrites() throws Exception {
    Path file = dir.resolve("k-2026-12.jwk.json");
    assertThat(run("keys", "generate", "--kid", "k-2026-12", "--out", file.toString())).as(err.toString()).isZero();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    ECKey key = JWK.parse(Files.readString(file)).toECKey();
    assertThat(key.isPrivate()).isTrue();
    assertThat(key.getCurve()).isEqualTo(Curve.P_256);
    assertThat(key.getKeyID()).isEqualTo("k-2026-12");
    assertThat(out.toString()).doesNotContain(key.getD().toString());

    String before = Files.readString(file);
    assertThat(run("keys", "generate", "--kid", "k-2026-12", "--out", file.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("already exists");
    assertThat(Files.readString(file)).isEqualTo(before);
  }

  /** When k2 takes over from k1 in the rotation tests. */
  private static final Instant SWITCH = Instant.parse("2030-01-01T09:00:00Z");

  @Test
  void a_scheduled_key_takes_over_at_its_activeFrom_while_grants_signed_by_the_old_key_keep_working() throws Exception {
    Path k1 = dir.resolve("k1.jwk.json");
    Path k2 = dir.resolve("k2.jwk.json");
    assertThat(run("keys", "generate", "--kid", "k1", "--out", k1.toString())).isZero();
    assertThat(run("keys", "generate", "--kid", "k2", "--out", k2.toString())).isZero();
    MovableClock clock = new MovableClock(SWITCH.minusSeconds(30));
    String prefix = RedisSupport.uniquePrefix();
    try (RecordingBackend backend = RecordingBackend.start()) {
      backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
      AirlockConfig base = TestConfigs.config(dir, backend.uri())
          .withRedis(Optional.of(RedisConfig.of(RedisSupport.uri()).withKeyPrefix(prefix)))
          // the test moves the clock 30 s forward at once: the revocation copy must stay fresh across the jump
          .withRevocation(new RevocationConfig(Duration.ofSeconds(60)));
      // k1 signs from the beginning, k2 from SWITCH: one config, rolled out before SWITCH
      AirlockConfig scheduled = withKeys(base, Optional.of("k1"),
          new GrantsConfig.KeyRef("k1", k1), new GrantsConfig.KeyRef("k2", new SecretSource.FromFile(k2), Optional.of(SWITCH)));

      List<String> oldGrants;
      String newGrant;
      try (AirlockNode node = AirlockNode.start(scheduled, clock)) {
        int cp = node.controlPlanePort();
        ControlPlaneClient alice = ControlPlaneClient.login(cp, "alice");
        ControlPlaneClient bob = ControlPlaneClient.login(cp, "bob");
        ControlPlaneClient maria = ControlPlaneClient.login(cp, "maria");
        assertThat(jwksKids(node)).as("k2 is published before it signs").containsExactly("k1", "k2");
        oldGrants = List.of(ControlPlaneClient.approvedGrant(alice, maria, "c-0001"),
            ControlPlaneClient.approvedGrant(bob, maria, "c-0001"));
        assertThat(oldGrants).extracting(KeyRotationTest::kid).containsOnly("k1");
        // k2's private key is already on the node: a grant it signs dated before its turn is refused
        assertRefusedAsOutOfTurn(node, redated(oldGrants.get(0), k2, SWITCH.minusSeconds(61)));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService agents = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          String grant = oldGrants.get(i % 2);
          running.add(agents.submit(() -> {
            while (!stop.get()) {
              try {
                HttpResponse<String> r = data(node, grant);
                if (r.statusCode() == 200) {
                  ok.incrementAndGet();
                } else {
                  failures.add(r.statusCode() + " " + r.body());
                }
              } catch (Exception e) {
                failures.add(e.toString());
              }
            }
            return null;
          }));
        }
        try {
          await(() -> ok.get() >= 40, "grants signed by k1 are in use");
          clock.advanceTo(SWITCH);
          newGrant = ControlPlaneClient.approvedGrant(alice, maria, "c-0001");
          assertThat(kid(newGrant)).as("issued after activeFrom").isEqualTo("k2");
          assertThat(data(node, newGrant).statusCode()).isEqualTo(200);
          assertThat(jwksKids(node)).as("the signer first").containsExactly("k2", "k1");
          // and k1, now retired, cannot sign grants dated after k2 took over (+ grants.leeway 30 s)
          assertRefusedAsOutOfTurn(node, redated(oldGrants.get(0), k1, SWITCH.plusSeconds(30)));
          int atSwitch = ok.get();
          await(() -> ok.get() >= atSwitch + 40, "grants signed by k1 keep working after the switch");
        } finally {
          stop.set(true);
          for (Future<?> f : running) {
            f.get(30, TimeUnit.SECONDS);
          }
          agents.shutdown();
        }
        assertThat(failures).as("reads with grants signed by k1 across the switch").isEmpty();
      }

      // the old kid removed (after its last grant expired, which the test does not wait for): its grants die
      try (AirlockNode node = AirlockNode.start(
          withKeys(base, Optional.empty(), new GrantsConfig.KeyRef("k2", new SecretSource.FromFile(k2), Optional.of(SWITCH))),
          clock)) {
        for (String old : oldGrants) {
          HttpResponse<String> refused = data(node, old);
          assertThat(refused.statusCode()).isEqualTo(401);
          assertThat(refused.body()).contains("\"grant_invalid\"").contains("unknown kid");
        }
        assertThat(data(node, newGrant).statusCode()).isEqualTo(200);
      }
    } finally {
      RedisSupport.deleteKeys(RedisSupport.uri(), prefix);
    }
  }

  @Test
  void keys_list_shows_each_kids_state_and_when_the_last_grant_it_signed_expires() throws Exception {
    Path k1 = dir.resolve("k1.jwk.json");
    assertThat(run("keys", "generate", "--kid", "k1", "--out", k1.toString())).isZero();
    String k2 = new ECKeyGenerator(Curve.P_256).keyID("k2").generate().toJSONString();
    Files.writeString(dir.resolve("airlock.yaml"), String.join("\n",
        "grants:",
        "  issuer: " + TestConfigs.ISSUER,
        "  activeKid: k1",
        "  keys:",
        "    - { kid: k1, file: k1.jwk.json }",
        "    - { kid: k2, env: AIRLOCK_GRANT_KEY_K2, activeFrom: " + SWITCH + " }",
        "identity: { mode: demo }", ""));
    Files.writeString(dir.resolve("routes.yaml"),
        "routes:\n  - { id: r, path: \"/c/{client}\", backend: \"http://127.0.0.1:9\", methods: [GET], passthrough: [application/pdf] }\n");
    Map<String, String> env = Map.of("AIRLOCK_GRANT_KEY_K2", k2);

    String before = list(env, SWITCH.minusSeconds(3600));
    assertThat(line(before, "k1")).startsWith("* k1").contains("active", "always (activeKid)", SWITCH.toString(),
        "file " + k1 + "  [private, rw-------]");
    assertThat(line(before, "k2")).startsWith("  k2").contains("published, not yet active", "env AIRLOCK_GRANT_KEY_K2  [private]");
    assertThat(before).doesNotContain(k2.substring(k2.indexOf("\"d\"")));
    assertThat(before).contains("verifies the grants dated in its turn");

    // policy.yaml maxTtl 60m (default) + grants.leeway 30s after the handover
    String after = list(env, SWITCH.plusSeconds(60));
    assertThat(line(after, "k1")).startsWith("  k1").contains("verifying only", "2030-01-01T10:00:30Z").doesNotContain("safe");
    assertThat(line(after, "k2")).startsWith("* k2").contains("active");
    assertThat(line(list(env, Instant.parse("2030-01-01T10:00:30Z")), "k1")).contains("2030-01-01T10:00:30Z (safe to remove)");

    assertThat(KeysCli.run(List.of("list", "--config", dir.toString()), dir, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.<String, String>of()::get, Clock.systemUTC())).isEqualTo(78);
    assertThat(err.toString()).contains("grants.keys[1].env: environment variable AIRLOCK_GRANT_KEY_K2 is not set");
  }

  private String list(Map<String, String> env, Instant at) {
    out.reset();
    err.reset();
    int code = KeysCli.run(List.of("list", "--config", dir.toString()), dir, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env::get, Clock.fixed(at, ZoneOffset.UTC));
    assertThat(code).as(err.toString()).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String line(String listing, String kid) {
    return listing.lines().filter(l -> l.substring(2).startsWith(kid + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no line for " + kid + " in\n" + listing));
  }

  /** {@code grant}'s claims dated {@code iat} and signed with the key in {@code keyFile}, as a thief with the file would. */
  private static String redated(String grant, Path keyFile, Instant iat) throws Exception {
    ECKey key = JWK.parse(Files.readString(keyFile)).toECKey();
    SignedJWT original = SignedJWT.parse(grant);
    JWTClaimsSet claims = new JWTClaimsSet.Builder(original.getJWTClaimsSet())
        .issueTime(Date.from(iat)).notBeforeTime(Date.from(iat)).expirationTime(Date.from(iat.plus(Duration.ofMinutes(10))))
        .build();
    SignedJWT forged = new SignedJWT(new JWSHeader.Builder(original.getHeader()).keyID(key.getKeyID()).build(), claims);
    forged.sign(new ECDSASigner(key));
    return forged.serialize();
  }

  private void assertRefusedAsOutOfTurn(AirlockNode node, String grant) throws Exception {
    HttpResponse<String> r = data(node, grant);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
    assertThat(r.body()).contains("\"grant_invalid\"").contains("did not sign at iat");
  }

  private static String kid(String token) {
    try {
      return SignedJWT.parse(token).getHeader().getKeyID();
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
  }

  private List<String> jwksKids(AirlockNode node) throws Exception {
    return JWKSet.parse(get("http://127.0.0.1:" + node.controlPlanePort() + "/.well-known/jwks.json", null).body())
        .getKeys().stream().map(JWK::getKeyID).toList();
  }

  private static void await(java.util.function.BooleanSupplier done, String what) {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within 30 s: " + what);
      }
      RedisSupport.pause();
    }
  }

  @Test
  void a_signing_key_readable_by_others_stops_start_up_outside_demo_mode() throws Exception {
    Path k1 = dir.resolve("k1.jwk.json");
    assertThat(run("keys", "generate", "--kid", "k1", "--out", k1.toString())).isZero();
    Files.setPosixFilePermissions(k1, PosixFilePermissions.fromString("rw-r--r--"));
    AirlockConfig demo = withKeys(TestConfigs.config(dir, URI.create("http://127.0.0.1:9")), "k1", k1);
    AirlockConfig oidc =
        demo.withIdentity(
            new IdentityConfig(IdentityConfig.Mode.OIDC, Optional.of(new OidcConfig("https://idp.example.com", "airlock",
                URI.create("https://idp.example.com/jwks"), List.of("ES256"), "sub", "roles", "teams", Duration.ofMinutes(10)))));

    assertThatThrownBy(() -> AirlockNode.start(oidc, Clock.systemUTC()))
        .hasMessageContaining("airlock.yaml: grants.keys[0].file: " + k1 + " has mode rw-r--r--");
  }

  private static AirlockConfig withKeys(AirlockConfig c, String active, Path... files) {
    return withKeys(c, Optional.of(active), Stream.of(files)
        .map(f -> new GrantsConfig.KeyRef(f.getFileName().toString().replace(".jwk.json", ""), f))
        .toArray(GrantsConfig.KeyRef[]::new));
  }

  private static AirlockConfig withKeys(AirlockConfig c, Optional<String> activeKid, GrantsConfig.KeyRef... keys) {
    GrantsConfig g = c.grants();
    return c.withGrants(new GrantsConfig(g.issuer(), activeKid, List.of(keys), Optional.empty(), g.leeway(), g.cacheMaxEntries(),
        g.maxFailuresPerAddressPerMinute()));
  }

  private HttpResponse<String> data(AirlockNode node, String token) throws Exception {
    return get("http://127.0.0.1:" + node.dataPlanePort() + "/clients/c-0001", token);
  }

  private HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private int run(String... args) throws Exception {
    out.reset();
    err.reset();
    return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
