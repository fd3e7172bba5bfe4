package io.airlock.gateway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.gateway.audit.AuditFeed;
import io.airlock.gateway.audit.AuditSearches;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.airlock.gateway.testing.GatewayHarness;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The security view's audit feed on a node that is already running as many searches as it
 * allows: a short "retrying" note instead of an error, and a tab that never runs two searches at
 * once nor refreshes live more often than every 3 s however many events arrive.
 */
class AuditFeedBusyTest {
  @TempDir static Path dir;
  static GatewayHarness gw;
  static ControlPlaneClient sam;

  /** Counts this tab's audit requests: how many at once at most, and when each started. */
  private static final String COUNT_AUDIT_FETCHES = """
      window.__audit = {inFlight: 0, max: 0, starts: []};
      const fetchOriginal = window.fetch;
      window.fetch = function (input, init) {
        const url = typeof input === 'string' ? input : input.url;
        if (!String(url).includes('/api/audit')) return fetchOriginal.apply(this, arguments);
        const a = window.__audit;
        a.inFlight++;
        a.max = Math.max(a.max, a.inFlight);
        a.starts.push(Date.now());
        return fetchOriginal.apply(this, arguments).finally(() => { a.inFlight--; });
      };
      """;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayHarness.start(dir);
    sam = ControlPlaneClient.login(gw.node.controlPlanePort(), "sam");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
  }

  @Test
  void aBusyNodeShowsARetryingNoteAndTheTabNeverPilesUpSearches() throws Exception {
    try (Browser browser = new Browser()) {
      browser.newTab("http://127.0.0.1:" + gw.node.controlPlanePort() + "/");
      browser.awaitClickable(".user-choice[data-user='sam']").click();
      browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("current-user"), "sam"));
      browser.until(Duration.ofSeconds(30), ExpectedConditions.presenceOfElementLocated(By.id("audit-table")));
      browser.js(COUNT_AUDIT_FETCHES);

      CountDownLatch entered = new CountDownLatch(AuditSearches.IN_FLIGHT);
      CountDownLatch release = new CountDownLatch(1);
      for (int i = 0; i < AuditSearches.IN_FLIGHT; i++) {
        gw.node.auditFeed().recent(new AuditFeed.Query(1, r -> {
          entered.countDown();
          try {
            return release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }, Optional.empty()));
      }
      try {
        assertThat(entered.await(30, TimeUnit.SECONDS)).as("two searches hold the node's slots").isTrue();
        browser.click("#audit-filters button[type='submit']");
        String note = browser.until(Duration.ofSeconds(30),
            ExpectedConditions.visibilityOfElementLocated(By.id("audit-busy"))).getText();
        assertThat(note).isEqualTo("Another audit search is running on this node: retrying in a moment.");
        assertThat(browser.driver.findElements(By.cssSelector("#audit .state.error"))).as("busy is not an error").isEmpty();
        browser.js("document.getElementById('audit-h').scrollIntoView()");
        browser.screenshot("17-security-audit-busy");
      } finally {
        release.countDown();
      }
      browser.until(Duration.ofSeconds(30), ExpectedConditions.invisibilityOfElementLocated(By.id("audit-busy")));
      assertThat(browser.find("#audit-table").isDisplayed()).as("the retry answered").isTrue();

      // a burst of events: the tab refreshes at most every 3 s, never two at once
      browser.js("window.__audit.starts = [];");
      for (int i = 0; i < 4; i++) {
        assertThat(sam.post("/api/agents/mallory/" + (i % 2 == 0 ? "suspend" : "resume"),
            new JsonObject().put("reason", "busy feed test")).status()).isEqualTo(200);
      }
      browser.until(Duration.ofSeconds(30), d -> ((Number) browser.js("return window.__audit.starts.length")).intValue() >= 3);
      @SuppressWarnings("unchecked")
      List<Number> starts = (List<Number>) browser.js("return window.__audit.starts.slice(0, 3)");
      for (int i = 1; i < starts.size(); i++) {
        assertThat(starts.get(i).longValue() - starts.get(i - 1).longValue()).as("live refresh %d", i).isGreaterThanOrEqualTo(2_900);
      }

      for (int i = 0; i < 4; i++) {
        browser.click("#audit-filters button[type='submit']");
      }
      browser.until(Duration.ofSeconds(30), d -> ((Number) browser.js("return window.__audit.inFlight")).intValue() == 0);
      assertThat(((Number) browser.js("return window.__audit.max")).intValue()).as("searches at once from one tab").isEqualTo(1);
    }
  }
}
