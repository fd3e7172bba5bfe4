package io.airlock.gateway.grant;

import static io.airlock.gateway.grant.GrantFixtures.ISSUER;
import static io.airlock.gateway.grant.GrantFixtures.K1;
import static io.airlock.gateway.grant.GrantFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.grant.Action;
import io.airlock.policy.grant.Grant;
import io.airlock.policy.mask.FieldClass;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrantCliTest {
  private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
  private final SigningKeys keys = SigningKeys.of("k1", List.of(K1));
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return GrantCli.run(List.of(args), keys, ISSUER, Duration.ofMinutes(30), clock,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void printsATokenTheVerifierAccepts() {
    int rc = run("--agent", "alice", "--ticket", "SUP-1", "--clients", "c1,c2",
        "--unmask", "email,phone", "--actions", "read", "--ttl", "10m");

    assertThat(rc).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    String token = out.toString(StandardCharsets.UTF_8).trim();
    Grant g = GrantFixtures.verifier(clock, K1).verify(token);
    assertThat(g.agent()).isEqualTo("alice");
    assertThat(g.ticket()).isEqualTo("SUP-1");
    assertThat(g.clients()).containsExactlyInAnyOrder("c1", "c2");
    assertThat(g.unmask()).containsExactlyInAnyOrder(FieldClass.EMAIL, FieldClass.PHONE);
    assertThat(g.actions()).containsExactly(Action.READ);
    assertThat(g.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
  }

  @Test
  void defaultsAreReadOnlyFifteenMinutesNothingUnmasked() {
    assertThat(run("--agent=bob", "--ticket=T", "--clients=c1")).isZero();
    Grant g = GrantFixtures.verifier(clock, K1).verify(out.toString(StandardCharsets.UTF_8).trim());
    assertThat(g.actions()).containsExactly(Action.READ);
    assertThat(g.unmask()).isEmpty();
    assertThat(g.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--agent a --ticket t --clients c --bogus x | unknown flag --bogus",
      "--ticket t --clients c                     | missing --agent",
      "--agent a --ticket t                       | missing --clients",
      "--agent a --ticket t --clients c --ttl 2h  | --ttl 2h is over the 60m maximum",
      "--agent a --ticket t --clients c --ttl 61m | --ttl 61m is over the 60m maximum",
      "--agent a --ticket t --clients c --ttl 31m | --ttl 31m is over this configuration's grants.maxTtl (30m)",
      "--agent a --ticket t --clients c --ttl 10  | --ttl '10' is not like",
      "--agent a --ticket t --clients c --unmask secret | --unmask: secret can never be unmasked",
      "--agent a --ticket t --clients c --unmask eye | --unmask: unknown field class 'eye'",
      "--agent a --ticket t --clients c --actions delete | --actions: unknown action 'delete'",
      "--agent a --ticket t --clients c, | --clients has an empty entry",
      "--agent a --agent b --ticket t --clients c | --agent given twice",
      "--agent --ticket t --clients c | --agent needs a value",
  })
  void badArgumentsNameTheFlag(String args, String message) {
    int rc = run(args.trim().split(" +"));
    assertThat(rc).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(message).contains("usage:");
  }

  @ParameterizedTest
  @CsvSource({"30s, PT30S", "10m, PT10M", "1h, PT1H", "60m, PT1H"})
  void ttlForms(String text, String expected) throws Exception {
    assertThat(GrantCli.ttl(text)).isEqualTo(Duration.parse(expected));
  }
}
