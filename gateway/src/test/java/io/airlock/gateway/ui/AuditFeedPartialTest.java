package io.airlock.gateway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.audit.AuditFeed;
import io.airlock.gateway.controlplane.AuditRoutes;
import io.airlock.gateway.store.redis.RedisConnector;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.GatewayHarness;
import io.airlock.gateway.testing.RedisSupport;
import io.airlock.gateway.testing.TestConfigs;
import io.airlock.policy.config.AuditConfig;
import io.airlock.policy.config.RedisConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * A live feed longer than one search goes: an old alert behind {@link AuditFeed#SCAN_CAP} newer
 * reads in the cluster's stream. The API and the security view say the answer may be partial
 * instead of letting "no alerts" pass for the truth, and a {@code since} that bounds the search
 * gives a complete answer again.
 */
class AuditFeedPartialTest {
  @TempDir static Path dir;
  static final String PREFIX = RedisSupport.uniquePrefix();
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static GatewayHarness gw;
  static ControlPlaneClient sam;

  @BeforeAll
  static void start() throws Exception {
    RedisConfig redis = RedisConfig.of(RedisSupport.uri()).withKeyPrefix(PREFIX);
    AuditConfig defaults = TestConfigs.audit(dir);
    // a stream long enough to hold more than one search: the default keeps ~100,000 records
    AuditConfig longStream = new AuditConfig(
        defaults.dir(), defaults.durability(), defaults.maxBatch(), defaults.queueCapacity(), 2 * AuditFeed.SCAN_CAP);
    gw = GatewayHarness.start(dir, c -> c.withRedis(Optional.of(redis)).withAudit(longStream));
    sam = ControlPlaneClient.login(gw.node.controlPlanePort(), "sam");
    // what other nodes wrote to the shared stream an hour ago: an alert, then a flood of reads
    // pipelined thousands at a time, on a machine shared with other builds: more patient than a node
    RedisConfig filler = new RedisConfig(
        redis.uris(), false, PREFIX, Duration.ofSeconds(30), RedisConfig.DEFAULT_CONNECT_TIMEOUT);
    try (RedisConnector other = RedisConnector.connect(filler).toCompletableFuture().get(10, TimeUnit.SECONDS)) {
      String key = PREFIX + "audit";
      Instant alertAt = NOW.minus(Duration.ofHours(2));
      push(other, key, List.of(new JsonObject().put("ts", alertAt.toString()).put("type", "security.alert")
          .put("alert", "read_rate").put("agent", "mallory")));
      List<JsonObject> reads = new ArrayList<>();
      for (int i = 0; i < AuditFeed.SCAN_CAP; i++) {
        reads.add(new JsonObject().put("ts", NOW.minus(Duration.ofHours(1)).plusMillis(i).toString())
            .put("type", "access").put("agent", "mallory").put("client", "c-" + (1000 + i % 9000)));
        if (reads.size() == 2_000) {
          push(other, key, reads);
          reads.clear();
        }
      }
      push(other, key, reads);
    }
  }

  /** Pipelined, a few thousand at a time, each batch awaited. */
  private static void push(RedisConnector redis, String key, List<JsonObject> records) throws Exception {
    CompletableFuture<?>[] pushed = records.stream()
        .map(r -> redis.commands().xadd(key, Map.of("r", r.encode())).toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    CompletableFuture.allOf(pushed).get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    RedisSupport.deleteKeys(RedisSupport.uri(), PREFIX);
  }

  private static HttpResponse<String> audit(String query) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.node.controlPlanePort() + "/api/audit" + query))
            .header("Authorization", "Bearer " + sam.token()).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theApiSaysAnAnswerStoppedByTheScanCapMayBePartial() throws Exception {
    HttpResponse<String> alerts = audit("?type=security.alert&limit=50");
    assertThat(alerts.statusCode()).isEqualTo(200);
    assertThat(new JsonArray(alerts.body())).as("the alert is older than the newest 200,000 records").isEmpty();
    assertThat(alerts.headers().firstValue(AuditRoutes.PARTIAL_HEADER))
        .hasValueSatisfying(v -> assertThat(v).matches("scanned 200000 records back to " + NOW.minus(Duration.ofHours(1))
            .toString().substring(0, 13) + ".*Z"));

    HttpResponse<String> recent = audit("?type=access&limit=50");
    assertThat(new JsonArray(recent.body())).hasSize(50);
    assertThat(recent.headers().firstValue(AuditRoutes.PARTIAL_HEADER)).as("50 reads found: nothing missing").isEmpty();

    HttpResponse<String> bounded = audit("?type=security.alert&since=" + NOW.minus(Duration.ofMinutes(30)));
    assertThat(new JsonArray(bounded.body())).isEmpty();
    assertThat(bounded.headers().firstValue(AuditRoutes.PARTIAL_HEADER))
        .as("every record since then was searched: no alert is a true answer").isEmpty();
  }

  @Test
  void theSecurityViewShowsThatOnlyTheNewestRecordsWereSearched() throws Exception {
    try (Browser browser = new Browser()) {
      browser.newTab("http://127.0.0.1:" + gw.node.controlPlanePort() + "/");
      browser.awaitClickable(".user-choice[data-user='sam']").click();
      browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("current-user"), "sam"));
      browser.await("#audit-type");
      new Select(browser.await("#audit-type")).selectByVisibleText("Alerts");
      browser.click("#audit-filters button[type='submit']");

      String note = browser.until(Duration.ofSeconds(60),
          ExpectedConditions.visibilityOfElementLocated(By.id("audit-partial"))).getText();
      assertThat(note).startsWith("Only the newest 200,000 records were searched (back to ")
          .contains("older records may match too").contains("audit files on each node");
      assertThat(browser.find("#audit .state.empty").getText()).contains("No audit records match these filters");
      browser.js("document.getElementById('audit-h').scrollIntoView()");
      browser.screenshot("16-security-audit-partial");

      new Select(browser.await("#audit-type")).selectByVisibleText("Reads");
      browser.click("#audit-filters button[type='submit']");
      browser.until(Duration.ofSeconds(60), ExpectedConditions.presenceOfElementLocated(By.id("audit-table")));
      assertThat(browser.driver.findElements(By.id("audit-partial"))).as("a full page of reads is not partial").isEmpty();
    }
  }
}
