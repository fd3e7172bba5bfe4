package io.airlock.gateway.store;

import static io.airlock.gateway.store.AccessRequestStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.gateway.store.redis.RedisAccessRequestStore;
import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.store.redis.RedisUnavailableException;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestPki;
import io.airlock.policy.config.RedisConfig;
import io.airlock.policy.config.SecretSource;
import io.airlock.policy.config.UpstreamTls;
import io.airlock.policy.request.AccessRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 "Redis over TLS": {@code rediss://} against a real redis-server speaking TLS with a
 * certificate from a test CA. The right CA bundle connects; another CA, a certificate for another
 * host, or a missing client certificate where the server demands one refuse to connect, naming
 * the problem. The password comes from the config's secret, never from the URI.
 */
class RedisTlsTest {
  private static final String PASSWORD = "s3cret-redis-password";

  @TempDir static Path dir;
  private static TestPki pki;

  @BeforeAll
  static void certificates() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
  }

  private record Client(Path cert, Path key) {}

  private static RedisConfig config(int tlsPort, Path ca, Optional<Client> client) {
    return RedisConfig.of("rediss://localhost:" + tlsPort)
        .withKeyPrefix(RedisSupport.uniquePrefix())
        .withCredentials(Optional.empty(), Optional.of(new SecretSource.FromEnv("AIRLOCK_REDIS_PASSWORD", PASSWORD)))
        .withTls(Optional.of(new UpstreamTls(ca, client.map(Client::cert), client.map(Client::key))));
  }

  private static RedisSupport.PrivateRedis server(Path cert, Path key, boolean clientCertificates) {
    RedisSupport.PrivateRedis r = RedisSupport.startPrivateTls(cert, key, pki.caCert(), clientCertificates);
    RedisSupport.command("127.0.0.1", r.port(), "CONFIG", "SET", "requirepass", PASSWORD);
    return r;
  }

  @Test
  void with_the_right_ca_and_password_the_stores_work_over_tls() throws Exception {
    try (RedisSupport.PrivateRedis redis = server(pki.serverCert(), pki.serverKey(), false);
        RedisConnector c = await(RedisConnector.connect(config(redis.tlsPort(), pki.caCert(), Optional.empty())))) {
      RedisAccessRequestStore store = new RedisAccessRequestStore(c, Clock.systemUTC(), AccessRequestStoreContract.AFTER_EXPIRY);
      AccessRequest r = Requests.pending("req-tls-1", "alice", Instant.now());
      await(store.create(r));
      assertThat(await(store.get("req-tls-1"))).contains(r);
      assertThat(await(c.commands().ping())).isEqualTo("PONG");
    }
  }

  @Test
  void a_server_certificate_from_another_ca_refuses_to_connect_naming_the_ca_file() throws Exception {
    try (RedisSupport.PrivateRedis redis = server(pki.serverCert(), pki.serverKey(), false)) {
      assertThatThrownBy(() -> await(RedisConnector.connect(config(redis.tlsPort(), pki.otherCaCert(), Optional.empty()))))
          .satisfies(e -> assertThat(unavailable(e).getMessage())
              .contains("cannot connect to Redis at [rediss://localhost:" + redis.tlsPort() + "]")
              .contains("TLS handshake failed")
              .contains("redis.tls.caFile")
              .doesNotContain(PASSWORD));
    }
  }

  @Test
  void a_certificate_for_another_host_refuses_to_connect_although_its_ca_is_trusted() throws Exception {
    TestPki.Issued elsewhere = pki.issue("elsewhere", "redis.elsewhere.example", "DNS:redis.elsewhere.example");
    try (RedisSupport.PrivateRedis redis = server(elsewhere.cert(), elsewhere.key(), false)) {
      assertThatThrownBy(() -> await(RedisConnector.connect(config(redis.tlsPort(), pki.caCert(), Optional.empty()))))
          .satisfies(e -> assertThat(unavailable(e).getMessage())
              .contains("TLS handshake failed")
              .containsIgnoringCase("localhost")
              .contains("name the host in redis.uri"));
    }
  }

  @Test
  void a_server_that_demands_client_certificates_takes_the_configured_one() throws Exception {
    try (RedisSupport.PrivateRedis redis = server(pki.serverCert(), pki.serverKey(), true)) {
      assertThatThrownBy(() -> await(RedisConnector.connect(config(redis.tlsPort(), pki.caCert(), Optional.empty()))))
          .satisfies(e -> assertThat(unavailable(e).getMessage())
              .contains("TLS handshake failed")
              .contains("the server wants a client certificate it trusts (redis.tls.certFile and redis.tls.keyFile)"));
      // the test CA's server certificate carries clientAuth too: it is the client certificate here
      try (RedisConnector c = await(RedisConnector.connect(config(redis.tlsPort(), pki.caCert(),
          Optional.of(new Client(pki.serverCert(), pki.serverKey())))))) {
        assertThat(await(c.commands().ping())).isEqualTo("PONG");
      }
    }
  }

  @Test
  void a_wrong_password_refuses_to_connect_without_showing_it() throws Exception {
    try (RedisSupport.PrivateRedis redis = server(pki.serverCert(), pki.serverKey(), false)) {
      RedisConfig wrong = config(redis.tlsPort(), pki.caCert(), Optional.empty())
          .withCredentials(Optional.empty(), Optional.of(new SecretSource.FromEnv("AIRLOCK_REDIS_PASSWORD", "not-it-hunter2")));
      assertThatThrownBy(() -> await(RedisConnector.connect(wrong)))
          .satisfies(e -> assertThat(unavailable(e).getMessage())
              .containsIgnoringCase("WRONGPASS")
              .doesNotContain("hunter2"));
    }
  }

  private static RedisUnavailableException unavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RedisUnavailableException r) {
        return r;
      }
    }
    throw new AssertionError("not a RedisUnavailableException", e);
  }
}
