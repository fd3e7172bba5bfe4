package io.airlock.gateway.grant;

import static io.airlock.gateway.grant.GrantFixtures.K1;
import static io.airlock.gateway.grant.GrantFixtures.K2;
import static io.airlock.gateway.grant.GrantFixtures.T0;
import static io.airlock.gateway.grant.GrantFixtures.claims;
import static io.airlock.gateway.grant.GrantFixtures.denied;
import static io.airlock.gateway.grant.GrantFixtures.header;
import static io.airlock.gateway.grant.GrantFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.util.Base64URL;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An insider holding one valid grant tries every small edit of it. Whatever changes the decoded
 * header, payload or signature must be refused; an edit that changes only the spelling (spare
 * low bits of a base64url character) must be refused too, as non-canonical, because two
 * spellings of one grant would be two cache and log identities. The one spelling that survives
 * by mathematics (the high-S twin of the ECDSA signature) is caught by revocation, which keys on
 * jti, never on the token text.
 */
class GrantMutationTest {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  private static final BigInteger P256_N =
      new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

  private final GrantVerifier verifier = GrantFixtures.verifier(Clock.fixed(T0, ZoneOffset.UTC), K1, K2);

  @Test
  void every_single_character_edit_of_a_valid_grant_is_refused() {
    String good = token(header("k1"), claims(T0), K1);
    assertThat(verifier.verify(good).agent()).isEqualTo("alice");
    byte[][] original = decoded(good);
    int changed = 0;
    int respelled = 0;
    for (int i = 0; i < good.length(); i++) {
      char was = good.charAt(i);
      for (char c : replacements(was)) {
        String edited = good.substring(0, i) + c + good.substring(i + 1);
        Denied d = catchThrowableOfType(Denied.class, () -> verifier.verify(edited));
        assertThat(d).as("edit at %d: '%s' -> '%s' was accepted", i, was, c).isNotNull();
        assertThat(d.reason()).as("edit at %d: %s", i, d.getMessage()).isIn(Reason.GRANT_INVALID, Reason.GRANT_EXPIRED);
        byte[][] now = was == '.' || c == '.' ? null : decoded(edited);
        if (now != null && Arrays.deepEquals(now, original)) {
          // same bytes, other spelling: only the canonical check stands between it and acceptance
          assertThat(d.getMessage()).as("edit at %d", i).contains("not canonical base64url");
          respelled++;
        } else {
          changed++;
        }
      }
    }
    assertThat(changed).as("edits that changed the decoded grant").isGreaterThan(good.length() * 4);
    // the last character of each part has spare bits: header, payload and signature lengths
    // here are not multiples of 3, so each offers re-spellings
    assertThat(respelled).as("edits that only re-spelled it").isGreaterThan(0);
  }

  @Test
  void every_non_canonical_spelling_of_each_part_is_refused() {
    String good = token(header("k1"), claims(T0), K1);
    String[] p = good.split("\\.");
    int spellings = 0;
    for (int part = 0; part < 3; part++) {
      String text = p[part];
      int spare = (6 * text.length()) % 8; // bits in the last character that carry nothing
      if (spare == 0) {
        continue;
      }
      int last = ALPHABET.indexOf(text.charAt(text.length() - 1));
      for (int bits = 1; bits < (1 << spare); bits++) {
        String[] q = p.clone();
        q[part] = text.substring(0, text.length() - 1) + ALPHABET.charAt(last ^ bits);
        String twin = String.join(".", q);
        assertThat(Base64URL.from(q[part]).decode()).isEqualTo(Base64URL.from(text).decode());
        denied(verifier, twin, Reason.GRANT_INVALID, "not canonical base64url");
        spellings++;
      }
    }
    assertThat(spellings).isGreaterThan(0);
  }

  @Test
  void the_all_zero_signature_is_refused_cve_2022_21449() {
    String[] p = token(header("k1"), claims(T0), K1).split("\\.");
    denied(verifier, p[0] + "." + p[1] + "." + Base64URL.encode(new byte[64]), Reason.GRANT_INVALID,
        "signature does not verify");
    // r = s = n is the same attack spelled with the group order (zero mod n)
    byte[] nn = new byte[64];
    byte[] n = unsigned32(P256_N);
    System.arraycopy(n, 0, nn, 0, 32);
    System.arraycopy(n, 0, nn, 32, 32);
    denied(verifier, p[0] + "." + p[1] + "." + Base64URL.encode(nn), Reason.GRANT_INVALID, "signature does not verify");
  }

  /** Both spellings of one signature verify; revoking the jti stops both at the data plane. */
  @Test
  void the_high_s_twin_verifies_but_revoking_the_jti_stops_both_spellings(@TempDir Path dir) throws Exception {
    try (GatewayHarness gw = GatewayHarness.start(dir)) {
      gw.backend.json("{\"id\":\"c-0001\",\"name\":\"Ada\"}");
      int cp = gw.node.controlPlanePort();
      ControlPlaneClient alice = ControlPlaneClient.login(cp, "alice");
      ControlPlaneClient maria = ControlPlaneClient.login(cp, "maria");
      String id =
          alice.post("/api/requests", new JsonObject().put("ticket", "SUP-77").put("clients", new JsonArray().add("c-0001"))
              .put("reason", "customer reports a wrong balance").put("durationMinutes", 15)).json().getString("id");
      assertThat(maria.post("/api/requests/" + id + "/approve", new JsonObject()).status()).isEqualTo(200);
      JsonObject grant = alice.get("/api/requests/" + id).json().getJsonObject("grant");
      String token = grant.getString("token");
      String twin = highSTwin(token);
      assertThat(twin).isNotEqualTo(token);

      assertThat(gw.get("/clients/c-0001", token).statusCode()).isEqualTo(200);
      assertThat(gw.get("/clients/c-0001", twin).statusCode()).as("the twin is a valid signature").isEqualTo(200);

      assertThat(maria.post("/api/grants/" + grant.getString("jti") + "/revoke", new JsonObject().put("reason", "done"))
          .status()).isEqualTo(200);
      int before = gw.backend.seen().size();
      for (String spelling : new String[] {token, twin}) {
        HttpResponse<String> r = gw.get("/clients/c-0001", spelling);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("grant_revoked");
      }
      assertThat(gw.backend.seen()).hasSize(before);
    }
  }

  /** The same token with s replaced by n - s: an equally valid ECDSA signature, other bytes. */
  static String highSTwin(String token) {
    String[] p = token.split("\\.");
    byte[] sig = Base64URL.from(p[2]).decode();
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    byte[] twin = Arrays.copyOf(sig, 64);
    System.arraycopy(unsigned32(P256_N.subtract(s)), 0, twin, 32, 32);
    return p[0] + "." + p[1] + "." + Base64URL.encode(twin);
  }

  private static byte[] unsigned32(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int len = Math.min(32, raw.length);
    System.arraycopy(raw, raw.length - len, out, 32 - len, len);
    return out;
  }

  /** A few replacements per position: neighbours in the alphabet, the low bit flipped, a dot. */
  private static char[] replacements(char was) {
    int at = ALPHABET.indexOf(was);
    if (at < 0) {
      return new char[] {'A', '_', 'x'};
    }
    char[] out = {
      ALPHABET.charAt(at ^ 1), ALPHABET.charAt(at ^ 2), ALPHABET.charAt(at ^ 32), ALPHABET.charAt((at + 17) % 64), '.'
    };
    return out;
  }

  private static byte[][] decoded(String token) {
    String[] p = token.split("\\.", -1);
    if (p.length != 3) {
      return null;
    }
    return new byte[][] {Base64URL.from(p[0]).decode(), Base64URL.from(p[1]).decode(), Base64URL.from(p[2]).decode()};
  }
}
