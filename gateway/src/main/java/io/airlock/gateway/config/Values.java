package io.airlock.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of the scalar formats the config files use; pure functions, no error collection. */
final class Values {
  private Values() {}

  // bounded digit counts keep every accepted value far from long overflow
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})(B|KB|MB|GB)");

  static final String DURATION_HINT = "a number with unit ms, s, m or h, e.g. 500ms, 30s, 15m, 1h";
  static final String SIZE_HINT = "bytes as an integer, or with unit B, KB, MB or GB, e.g. 64KB";

  static Optional<Duration> parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        });
  }

  /** The shortest spelling {@link #parseDuration} reads back to the same value. */
  static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /** Sizes are 1024-based: {@code 1KB} is 1024 bytes. */
  static Optional<Long> parseSize(String text) {
    Matcher m = SIZE.matcher(text.toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "B" -> 0;
          case "KB" -> 10;
          case "MB" -> 20;
          default -> 30;
        };
    return Optional.of(n << shift);
  }

  /**
   * An absolute http(s) URL with a host and without user info, query or fragment.
   *
   * @return the problem, or empty when the URL is acceptable
   */
  static Optional<String> httpUrlProblem(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return Optional.of("not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      return Optional.of("must be an http:// or https:// URL");
    }
    // URI accepts registry-based authorities such as "host_name:port" with a null host
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("URL has no host");
    }
    if (uri.getRawUserInfo() != null) {
      return Optional.of("URL must not contain user info (credentials do not belong in config)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return Optional.of("URL must not have a query or fragment");
    }
    return Optional.empty();
  }

  /** How a value looks, for "expected X, got Y" messages. */
  static String describe(JsonNode n) {
    if (n.isNull()) {
      return "nothing";
    }
    if (n.isTextual()) {
      String t = n.textValue();
      return "text \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
    }
    if (n.isNumber()) {
      return "number " + n.asText();
    }
    if (n.isBoolean()) {
      return "boolean " + n.asText();
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isObject()) {
      return "a mapping";
    }
    return n.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** Loopback in the sense of "unreachable from other machines". */
  static boolean isLoopbackHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost")
        || h.equals("::1")
        || h.equals("[::1]")
        || h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
  }
}
