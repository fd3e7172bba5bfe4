package io.airlock.gateway.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import io.airlock.policy.decision.Denied;
import io.airlock.policy.decision.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Project Wycheproof vectors through the same layers the verifier uses. The files live beside the
 * project, not in it (see ../shared/vectors/README.md); without them these tests are skipped
 * with a message that says where they were looked for.
 */
class WycheproofTest {
  private static final HexFormat HEX = HexFormat.of();

  /**
   * Valid signatures whose nonce point has x >= n (r = x mod n): JDK 17's SunEC rejects them,
   * through Nimbus and through its own P1363 Signature alike; ACCP 2.5.0 behind the same layer
   * accepts all 173 valid vectors. Harmless for grants (an honest signature lands there with
   * probability about 2^-128), but kept explicit so a provider change is seen.
   */
  private static final List<Integer> SUNEC_REJECTS_VALID = List.of(115, 257);

  private static Path vectors(String file) {
    List<Path> candidates = new ArrayList<>();
    Optional.ofNullable(System.getenv("AIRLOCK_WYCHEPROOF_DIR")).map(Path::of)
        .ifPresent(candidates::add);
    Optional.ofNullable(System.getProperty("airlock.project.root"))
        .map(root -> Path.of(root).resolve("../shared/vectors").normalize())
        .ifPresent(candidates::add);
    candidates.add(Path.of("../../shared/vectors").toAbsolutePath().normalize());
    Optional<Path> found =
        candidates.stream().map(d -> d.resolve(file)).filter(Files::isRegularFile).findFirst();
    Assumptions.assumeTrue(found.isPresent(),
        () -> "Wycheproof file " + file + " not found in " + candidates
            + "; set AIRLOCK_WYCHEPROOF_DIR to the directory holding it");
    return found.get();
  }

  private static JsonNode read(String file) throws Exception {
    return GrantFixtures.JSON.readTree(Files.readString(vectors(file), StandardCharsets.UTF_8));
  }

  @Test
  void ecdsaP256P1363VectorsThroughTheSignatureLayer() throws Exception {
    JsonNode doc = read("ecdsa_secp256r1_sha256_p1363_test.json");
    List<String> forged = new ArrayList<>();
    List<Integer> validRejected = new ArrayList<>();
    int valid = 0;
    int invalid = 0;
    for (JsonNode group : doc.get("testGroups")) {
      Optional<Es256Signature> layer = layer(group.get("publicKey"));
      for (JsonNode t : group.get("tests")) {
        boolean expected = "valid".equals(t.get("result").asText());
        // A key the layer refuses to load can accept nothing, which is right only for invalid.
        boolean accepted = layer.isPresent() && layer.get().verify(
            HEX.parseHex(t.get("msg").asText()), HEX.parseHex(t.get("sig").asText()));
        if (expected) {
          valid++;
        } else {
          invalid++;
        }
        if (accepted && !expected) {
          forged.add("tcId " + t.get("tcId").asInt() + " (" + t.get("comment").asText() + ")");
        } else if (expected && !accepted) {
          validRejected.add(t.get("tcId").asInt());
        }
      }
    }
    assertThat(forged).as("invalid signatures the layer accepted").isEmpty();
    assertThat(validRejected)
        .as("valid signatures rejected beyond the known SunEC cases " + SUNEC_REJECTS_VALID)
        .isSubsetOf(SUNEC_REJECTS_VALID);
    assertThat(valid + invalid).isEqualTo(doc.get("numberOfTests").asInt());
    assertThat(invalid).isPositive();
  }

  /** Edge-case groups have no JWK form, only the affine coordinates. */
  private static Optional<Es256Signature> layer(JsonNode publicKey) {
    try {
      ECKey key = new ECKey.Builder(Curve.P_256,
              new Base64URL(coordinate(publicKey.get("wx").asText())),
              new Base64URL(coordinate(publicKey.get("wy").asText())))
          .build();
      return Optional.of(Es256Signature.forKey(key, Optional.empty()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String coordinate(String hex) {
    byte[] raw = new BigInteger(hex, 16).toByteArray();
    byte[] fixed = new byte[32];
    int n = Math.min(32, raw.length);
    System.arraycopy(raw, raw.length - n, fixed, 32 - n, n);
    return Base64URL.encode(fixed).toString();
  }

  @Test
  void jwsEs256VectorsThroughTheStructuralAndSignatureLayers() throws Exception {
    JsonNode doc = read("json_web_signature_test.json");
    List<String> wrong = new ArrayList<>();
    int seen = 0;
    for (JsonNode group : doc.get("testGroups")) {
      String comment = group.get("comment").asText();
      if (!comment.equals("es256") && !comment.equals("SpecialCaseEs256")) {
        continue;
      }
      Es256Signature layer =
          Es256Signature.forKey(ECKey.parse(group.get("public").toString()), Optional.empty());
      for (JsonNode t : group.get("tests")) {
        seen++;
        boolean expected = "valid".equals(t.get("result").asText());
        boolean accepted = t.get("jws").isTextual() && structurallyEs256(t.get("jws").asText())
            && signatureVerifies(layer, t.get("jws").asText());
        if (accepted != expected) {
          wrong.add("tcId " + t.get("tcId").asInt() + " (" + t.get("comment").asText() + ")");
        }
      }
    }
    assertThat(seen).isPositive();
    assertThat(wrong).as("JWS vectors decided against Wycheproof").isEmpty();
  }

  /** None of these is a grant, so the full verifier must refuse every one, and only by Denied. */
  @Test
  void fullVerifierRefusesEveryCompactJwsInTheFile() throws Exception {
    JsonNode doc = read("json_web_signature_test.json");
    GrantVerifier verifier = null;
    for (JsonNode group : doc.get("testGroups")) {
      if (group.get("comment").asText().equals("es256")) {
        ECKey key = ECKey.parse(group.get("public").toString());
        verifier = new GrantVerifier(GrantFixtures.ISSUER, Duration.ofSeconds(30),
            Map.of(key.getKeyID(), key), GrantFixtures.firstSignsAlways(key), Clock.fixed(GrantFixtures.T0, ZoneOffset.UTC),
            Optional.empty());
      }
    }
    assertThat(verifier).isNotNull();
    GrantVerifier v = verifier;
    List<JsonNode> tokens = new ArrayList<>();
    doc.get("testGroups").forEach(g -> g.get("tests").forEach(t -> {
      if (t.get("jws").isTextual()) {
        tokens.add(t);
      }
    }));
    for (JsonNode t : tokens) {
      Denied d = catchThrowableOfType(Denied.class, () -> v.verify(t.get("jws").asText()));
      assertThat(d).as("tcId %s", t.get("tcId").asInt()).isNotNull();
      assertThat(d.reason()).isEqualTo(Reason.GRANT_INVALID);
    }
    assertThat(tokens).hasSizeGreaterThan(300);
  }

  private static boolean structurallyEs256(String jws) {
    try {
      CompactJws c = CompactJws.parse(jws, GrantVerifier.MAX_TOKEN_CHARS);
      JsonNode header = GrantFixtures.JSON.readTree(c.header());
      return header.path("alg").asText().equals("ES256")
          && Stream.of("jwk", "jku", "x5u", "x5c", "crit").noneMatch(header::has);
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean signatureVerifies(Es256Signature layer, String jws) {
    try {
      CompactJws c = CompactJws.parse(jws, GrantVerifier.MAX_TOKEN_CHARS);
      return layer.verify(c.signingInput(), c.signature());
    } catch (CompactJws.Malformed e) {
      return false;
    }
  }
}
