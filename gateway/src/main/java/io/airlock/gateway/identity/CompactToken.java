package io.airlock.gateway.identity;

import static io.airlock.gateway.identity.Unauthenticated.shown;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A compact JWS taken apart strictly, before any key or signature is looked at: size cap, three
 * canonical base64url parts, header and claims that are JSON objects without duplicate names,
 * and no header parameter that lets a token choose its own key or demand extensions.
 *
 * <p>Duplicate names matter because two parsers reading different values of one claim is a
 * classic way around a verifier; non-canonical base64url because a token should have one
 * spelling. Nimbus is then handed the already-parsed maps.
 */
record CompactToken(
    JWSHeader header,
    Map<String, Object> headerJson,
    JWTClaimsSet claims,
    Map<String, Object> claimsJson,
    byte[] signingInput,
    Base64URL signature) {

  /** A token carrying its own key, or a URL to fetch one from, is choosing who it trusts. */
  static final Set<String> FORBIDDEN_HEADER_PARAMS = Set.of("jwk", "jku", "x5u", "x5c", "crit");

  private static final ObjectMapper JSON =
      new ObjectMapper(
              JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * @param what how the token is called in messages, e.g. "staff token"
   * @param algorithms the allow-list, checked before anything else reads the header
   * @throws Unauthenticated naming the part that is malformed
   */
  static CompactToken parse(String token, int maxChars, String what, List<String> algorithms) {
    if (token == null || token.isEmpty()) {
      throw new Unauthenticated(what + " is empty");
    }
    if (token.length() > maxChars) {
      throw new Unauthenticated(what + " is longer than " + maxChars + " characters");
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw new Unauthenticated(what + " must be a compact JWS of three dot-separated parts");
    }
    byte[] header = decode(token, 0, first, what, "header");
    byte[] payload = decode(token, first + 1, second, what, "payload");
    decode(token, second + 1, token.length(), what, "signature");

    Map<String, Object> h = object(header, what, "header");
    for (String name : h.keySet()) {
      if (FORBIDDEN_HEADER_PARAMS.contains(name)) {
        throw new Unauthenticated(what + " header must not carry " + shown(name)
            + (name.equals("crit") ? ": no extension is understood" : ": keys come from configuration only"));
      }
    }
    Object alg = h.get("alg");
    if (!(alg instanceof String a) || !algorithms.contains(a)) {
      // none and HMAC are never in the list: an HS256 "signature" keyed with a public key, or
      // no signature at all, are the two classic forgeries
      throw new Unauthenticated(what + " alg must be " + String.join(" or ", algorithms) + ", got "
          + (alg == null ? "none given" : shown(alg)));
    }
    Map<String, Object> c = object(payload, what, "claims");
    try {
      return new CompactToken(
          JWSHeader.parse(h, Base64URL.encode(header)),
          h,
          JWTClaimsSet.parse(c),
          c,
          token.substring(0, second).getBytes(StandardCharsets.US_ASCII),
          new Base64URL(token.substring(second + 1)));
    } catch (ParseException e) {
      // Nimbus names the parameter or claim with the wrong type
      throw new Unauthenticated(what + " is malformed: " + shown(e.getMessage()));
    } catch (RuntimeException e) {
      // a parser corner nobody foresaw must still end as a refusal, never a 500
      throw new Unauthenticated(what + " is malformed (" + e.getClass().getSimpleName() + ")");
    }
  }

  String kid() {
    return header.getKeyID();
  }

  String algorithm() {
    return header.getAlgorithm().getName();
  }

  private static byte[] decode(String token, int from, int to, String what, String part) {
    try {
      return io.airlock.gateway.grant.StrictBase64Url.decode(token, from, to, "signature".equals(part));
    } catch (io.airlock.gateway.grant.StrictBase64Url.Refused r) {
      throw new Unauthenticated(what + " " + part + " " + r.getMessage());
    }
  }

  private static Map<String, Object> object(byte[] json, String what, String part) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = JSON.readValue(json, Map.class);
      if (m == null) {
        throw new Unauthenticated(what + " " + part + " must be a JSON object");
      }
      return m;
    } catch (IOException e) {
      // Jackson's messages quote the input; say only what kind of problem it is
      throw new Unauthenticated(what + " " + part + " is not a valid JSON object"
          + (String.valueOf(e.getMessage()).contains("Duplicate field") ? " (duplicate name)" : ""));
    }
  }
}
