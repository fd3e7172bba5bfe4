package io.airlock.gateway.attribution;

import io.airlock.policy.mask.ByteSink;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.mask.MaskingException;
import io.airlock.policy.mask.MaskingOptions;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.StreamingMasker;
import io.airlock.policy.mask.Strategy;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-agent keys of the {@code hmac} masking strategy: HMAC-SHA-256(maskingKey, agent id). Two
 * agents see different tokens for the same value, one agent always the same token, so a masked
 * value on a leaked screenshot tells whose screen it was, and only someone holding the masking
 * key can tell ({@code airlock watermark trace}).
 */
public final class AgentKeys {
  private final SecretKeySpec maskingKey;

  public AgentKeys(byte[] maskingKey) {
    this.maskingKey = new SecretKeySpec(maskingKey, "HmacSHA256");
  }

  public byte[] forAgent(String agent) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(maskingKey);
      return m.doFinal(agent.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /**
   * The token {@code agent} is shown for {@code value} of class {@code cls}, computed by the real
   * masker (a one-field document), so it cannot drift from what the data plane shows.
   */
  public String token(String agent, FieldClass cls, String value) {
    MaskingProfile profile =
        new MaskingProfile(
            "trace", MaskingProfile.Mode.BLOCK, Map.of("v", MaskingProfile.FieldRule.of(cls)), Map.of(), Set.of(),
            Map.of(cls, Strategy.HMAC), 2);
    StreamingMasker masker = StreamingMasker.create(profile, MaskingOptions.of(Set.of(), forAgent(agent), agent));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteSink sink = out::write;
    byte[] in = new JsonObject().put("v", value).encode().getBytes(StandardCharsets.UTF_8);
    try {
      masker.feed(in, 0, in.length, sink);
      masker.finish(sink);
    } catch (MaskingException e) {
      throw new IllegalArgumentException("cannot mask the value: " + e.getMessage(), e);
    }
    return new JsonObject(out.toString(StandardCharsets.UTF_8)).getString("v");
  }
}
