package io.airlock.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BoundedMemoryTest {

  private static String where(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  @Test
  void twoHundredMegabyteBodyStreamsThroughA128MegabyteHeap() throws Exception {
    // only what BigBodyMain needs: surefire's own class path may be a manifest-only jar
    String cp = String.join(File.pathSeparator,
        where(BigBodyMain.class), where(StreamingMasker.class), where(JsonFactory.class));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process proc = new ProcessBuilder(
            List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-cp", cp,
                BigBodyMain.class.getName(), "200"))
        .redirectErrorStream(true)
        .start();
    boolean exited = proc.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      proc.destroyForcibly();
    }
    String output = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(exited).as("finished in time").isTrue();
    assertThat(proc.exitValue()).as(output).isZero();
    Matcher m = Pattern.compile(
            "in=(\\d+) out=(\\d+) records=(\\d+) seen=(\\d+) leaked=0 maxUsedHeap=(\\d+)")
        .matcher(output);
    assertThat(m.find()).as(output).isTrue();
    long in = Long.parseLong(m.group(1));
    long out = Long.parseLong(m.group(2));
    assertThat(in).isGreaterThanOrEqualTo(200L * 1024 * 1024);
    assertThat(m.group(3)).isEqualTo(m.group(4));
    // masking shortens this record a little (secret dropped); far off means lost or duplicated data
    assertThat(out).isBetween(in / 2, in);
    assertThat(Long.parseLong(m.group(5))).isLessThan(128L * 1024 * 1024);
  }
}
