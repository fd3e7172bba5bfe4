package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void durations() {
    assertThat(Values.parseDuration("500ms")).contains(Duration.ofMillis(500));
    assertThat(Values.parseDuration("30s")).contains(Duration.ofSeconds(30));
    assertThat(Values.parseDuration("15m")).contains(Duration.ofMinutes(15));
    assertThat(Values.parseDuration("1h")).contains(Duration.ofHours(1));
    for (String bad : new String[] {"1 sec", "30", "1.5s", "-1s", "1d", "s", "1S", " 1s", "9999999999s"}) {
      assertThat(Values.parseDuration(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void durationsFormatInTheirShortestSpelling() {
    assertThat(Values.formatDuration(Duration.ofMinutes(60))).isEqualTo("1h");
    assertThat(Values.formatDuration(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Values.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Values.formatDuration(Duration.ZERO)).isEqualTo("0s");
  }

  @Test
  void sizesAre1024Based() {
    assertThat(Values.parseSize("64KB")).contains(64L * 1024);
    assertThat(Values.parseSize("10MB")).contains(10L * 1024 * 1024);
    assertThat(Values.parseSize("1GB")).contains(1L << 30);
    assertThat(Values.parseSize("12B")).contains(12L);
    assertThat(Values.parseSize("64kb")).contains(64L * 1024);
    for (String bad : new String[] {"10 MB", "1.5MB", "MB", "-1KB", "1TB", "12"}) {
      assertThat(Values.parseSize(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void httpUrls() {
    assertThat(Values.httpUrlProblem("http://127.0.0.1:9090")).isEmpty();
    assertThat(Values.httpUrlProblem("https://h.example.com/base")).isEmpty();
    assertThat(Values.httpUrlProblem("127.0.0.1:9090")).isPresent();
    assertThat(Values.httpUrlProblem("http:///path")).contains("URL has no host");
    assertThat(Values.httpUrlProblem("http://h/?q=1")).isPresent();
    assertThat(Values.httpUrlProblem("http://h_x:9090")).contains("URL has no host");
  }
}
