package io.airlock.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The patched Netty and Jackson must win over what vertx-stack-depchain 5.0.7 pins (Netty 4.2.9,
 * Jackson 2.18.2, both with open advisories on our paths). See DESIGN.md "Known traps": the
 * parent POM imports netty-bom and jackson-bom before the Vert.x depchain.
 */
class DependencyVersionsTest {
  static final String NETTY = "4.2.18.Final";
  static final String JACKSON = "2.23.0";
  static final String WHY =
      " (DESIGN.md \"Known traps\": import netty-bom " + NETTY + " and jackson-bom " + JACKSON
          + " in the parent POM before vertx-stack-depchain)";

  @Test
  void every_netty_artifact_on_the_classpath_is_the_patched_one() {
    Map<String, Version> netty = Version.identify();

    assertThat(netty).as("no Netty artifacts found" + WHY).isNotEmpty();
    assertThat(netty).as("netty-codec-http (request parsing) missing" + WHY).containsKey("netty-codec-http");
    netty.forEach(
        (artifact, v) ->
            assertThat(v.artifactVersion()).as(artifact + " resolved to " + v.artifactVersion() + WHY).isEqualTo(NETTY));
  }

  @Test
  void jackson_core_and_databind_are_the_patched_ones() {
    assertThat(com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString())
        .as("jackson-core" + WHY)
        .isEqualTo(JACKSON);
    assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
        .as("jackson-databind" + WHY)
        .isEqualTo(JACKSON);
  }
}
