package io.airlock.gateway.dataplane;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.airlock.gateway.attribution.AgentKeys;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.mask.MaskingOptions;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.StreamingMasker;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * One masker per response, built from a compiled template per (profile, unmasked classes,
 * agent): compiling a profile costs more than masking a small record, so it is done once per
 * grant shape, not once per request. The {@code hmac} strategy gets the agent's own key ({@link
 * AgentKeys}), so a token on a leaked screen names whose screen it was.
 */
public final class Maskers implements BiFunction<MaskingProfile, Exchange, StreamingMasker> {
  private record Key(String profile, Set<FieldClass> unmask, String agent) {}

  private final AgentKeys agentKeys;
  private final Cache<Key, StreamingMasker.Template> templates =
      Caffeine.newBuilder().maximumSize(10_000).build();

  public Maskers(AgentKeys agentKeys) {
    this.agentKeys = agentKeys;
  }

  @Override
  public StreamingMasker apply(MaskingProfile profile, Exchange ex) {
    Key key = new Key(profile.name(), ex.grant().unmask(), ex.grant().agent());
    return templates
        .get(key, k -> StreamingMasker.template(profile, MaskingOptions.of(k.unmask(), agentKeys.forAgent(k.agent()), k.agent())))
        .newMasker();
  }
}
