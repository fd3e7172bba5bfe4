package io.airlock.gateway.config;

import io.airlock.policy.config.TicketsConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Binds {@code tickets} in airlock.yaml: {@code mode} none (default), file or http; {@code file}
 * (default tickets.yaml beside airlock.yaml); {@code http.baseUrl} (required for http), {@code
 * http.timeout} (default 2s), {@code http.cacheTtl} (default 30s, 0s = no cache).
 */
final class TicketsBinder {
  private TicketsBinder() {}

  static final Duration MAX_TIMEOUT = Duration.ofSeconds(30);
  static final Duration MAX_CACHE_TTL = Duration.ofMinutes(10);

  static TicketsConfig bind(Section root, Path dir) {
    Section t = root.section("tickets", "mode", "file", "http");
    TicketsConfig.Mode mode = TicketsConfig.Mode.NONE;
    String modeText = t.string("mode", null);
    if (modeText != null) {
      switch (modeText.toLowerCase(Locale.ROOT)) {
        case "none" -> mode = TicketsConfig.Mode.NONE;
        case "file" -> mode = TicketsConfig.Mode.FILE;
        case "http" -> mode = TicketsConfig.Mode.HTTP;
        default -> t.report(t.key("mode"), "unknown mode '" + modeText + "' (allowed: none, file, http)");
      }
    }
    String fileText = t.string("file", null);
    Path file = fileText == null ? dir.resolve("tickets.yaml") : ConfigLoader.resolvePath(dir, t, t.key("file"), fileText, false);

    Optional<TicketsConfig.Http> http = Optional.empty();
    // checked whenever present, so switching modes never hides a broken section
    if (mode == TicketsConfig.Mode.HTTP || t.has("http")) {
      Section h =
          mode == TicketsConfig.Mode.HTTP
              ? t.requiredSection("http", "baseUrl of the ticketing API", "baseUrl", "timeout", "cacheTtl")
              : t.section("http", "baseUrl", "timeout", "cacheTtl");
      String base = h.string("baseUrl", "the ticketing API's base URL, e.g. https://tickets.example.com/api");
      if (base != null) {
        Values.httpUrlProblem(base).ifPresent(p -> h.report(h.key("baseUrl"), p));
      }
      Duration timeout = h.duration("timeout", Duration.ofSeconds(2), false, MAX_TIMEOUT);
      Duration ttl = h.duration("cacheTtl", Duration.ofSeconds(30), true, MAX_CACHE_TTL);
      if (base != null && Values.httpUrlProblem(base).isEmpty()) {
        http = Optional.of(new TicketsConfig.Http(URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base), timeout, ttl));
      }
    }
    if (mode == TicketsConfig.Mode.HTTP && http.isEmpty()) {
      // reported above; any valid record will do, the loader refuses to start
      return TicketsConfig.none();
    }
    return new TicketsConfig(mode, Optional.ofNullable(file), http);
  }
}
