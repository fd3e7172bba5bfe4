package io.airlock.gateway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The approvals UI in a real browser against a real demo node: agents ask, managers decide,
 * security kills, each in their own tab, as the story is walked by a person.
 */
class ApprovalsUiTest {
  @TempDir static Path dir;
  static DemoNode node;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    node = DemoNode.start(dir);
    browser = new Browser();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (node != null) {
        node.close();
      }
    }
  }

  /** A failed test leaves a picture of the tab it was on. */
  @RegisterExtension
  final TestWatcher failureShots =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (browser != null) {
            browser.screenshot("FAILED-" + context.getRequiredTestMethod().getName());
          }
        }
      };

  // tabs are closed before each test rather than after, so a failure's screenshot still sees them
  @BeforeEach
  void closeTabs() {
    browser.closeTabs();
  }

  /** Opens a tab on the UI and signs in as a demo user; returns the tab. */
  private String signIn(String user) {
    String tab = browser.newTab(node.ui);
    browser.awaitClickable(".user-choice[data-user='" + user + "']").click();
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("current-user"), user));
    return tab;
  }

  private void request(String ticket, String clients, String reason, String... unmask) {
    browser.type("#req-ticket", ticket);
    browser.type("#req-clients", clients);
    browser.type("#req-reason", reason);
    for (String c : unmask) {
      browser.find("#unmask-" + c).click();
    }
    browser.find("#req-submit").click();
    // the outcome either way, so a refusal fails the test with the API's own words
    WebElement outcome = browser.await("#request-status .state:not(.loading)");
    assertThat(outcome.getAttribute("id")).as(outcome.getText()).isEqualTo("request-created");
  }

  private WebElement queueItem(String ticket) {
    return browser.await(".queue-item[data-ticket='" + ticket + "']");
  }

  @Test
  void agentAsksManagerApprovesAgentReadsMaskedAndWatermarkedSecurityKillsAndTheViewerClears() throws Exception {
    String agent = signIn("alice");
    String manager = signIn("maria");
    browser.await("#queue[aria-busy='false']");
    // proves below that the request arrived without the manager's page being reloaded
    browser.js("window.__sameDocument = 'yes'");
    String security = signIn("sam");
    browser.await("#nodes-table");

    browser.to(agent);
    browser.await("#request-form");
    browser.screenshot("01-agent-request-form");
    request("SUP-7001", "c-0001, c-0002", "Customer cannot withdraw; check the account status");

    browser.to(manager);
    WebElement item = browser.until(Duration.ofSeconds(5),
        ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".queue-item[data-ticket='SUP-7001']")));
    assertThat(browser.js("return window.__sameDocument")).isEqualTo("yes");
    assertThat(item.getText())
        .contains("alice", "c-0001, c-0002", "Customer cannot withdraw; check the account status", "Approvals: 0 of 1 required");
    item.findElement(By.cssSelector("textarea")).sendKeys("Checked the ticket, go ahead");
    browser.screenshot("02-manager-queue");
    item.findElement(By.cssSelector("button.approve")).click();
    browser.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".queue-item[data-ticket='SUP-7001']")));

    browser.to(agent);
    browser.awaitClickable(".request[data-ticket='SUP-7001'] button.open-client[data-client='c-0001']").click();
    WebElement data = browser.await("#viewer-data");
    JsonNode raw = new ObjectMapper().readTree(node.data.clientJson("c-0001").orElseThrow());
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("viewer-data"), raw.get("name").asText()));
    assertThat(data.findElements(By.cssSelector("[data-field='email'] .masked"))).hasSize(1);
    assertThat(data.findElements(By.cssSelector("[data-field='ssn'] .masked"))).hasSize(1);
    String page = browser.driver.getPageSource();
    assertThat(page).doesNotContain(raw.get("email").asText()).doesNotContain(raw.get("ssn").asText());
    String mark = browser.find(".watermark-tiles span").getAttribute("textContent");
    assertThat(mark).contains("alice").contains("SUP-7001");
    assertThat(browser.find("#viewer-watermark").getText()).contains("agent=alice").contains("ticket=SUP-7001");
    browser.screenshot("03-agent-client-viewer");
    // on a phone-sized window the page reflows instead of scrolling sideways
    browser.viewport(390, 844);
    browser.js("document.getElementById('client-viewer').scrollIntoView()");
    assertThat((Long) browser.js("return document.documentElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0L);
    browser.screenshot("03-agent-client-viewer-narrow");
    browser.viewport(1280, 800);

    browser.to(security);
    browser.type("#kill-reason", "Suspected screen recording on the support floor");
    browser.type("#kill-confirm", "KILL ALL");
    long sentAt = System.currentTimeMillis();
    browser.awaitClickable("#kill-all").click();
    assertThat(browser.await("#kill-result").getText()).contains("Every session killed");
    browser.screenshot("04-security-kill-all");
    // the kill is in the audit feed, with who did it
    WebElement audit = browser.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#audit-table")));
    browser.until(ExpectedConditions.textToBePresentInElement(audit, "kill_all"));
    browser.js("document.getElementById('audit-h').scrollIntoView()");
    browser.screenshot("04-security-audit-feed");

    browser.to(agent);
    WebElement ended = browser.await("#viewer-ended");
    long endedAt = Long.parseLong(ended.getAttribute("data-ended-at"));
    assertThat(endedAt - sentAt).as("ms from kill-all to a cleared viewer").isLessThan(1000);
    assertThat(ended.getText()).contains("Access ended");
    assertThat(browser.driver.findElements(By.id("viewer-data"))).isEmpty();
    assertThat(browser.driver.getPageSource()).doesNotContain(raw.get("name").asText() + "<");
    browser.screenshot("05-agent-viewer-revoked");
  }

  @Test
  void aDeniedRequestShowsTheManagersReason() {
    String agent = signIn("bob");
    request("SUP-7002", "c-0003", "Need to verify the card on file for a refund");
    String manager = signIn("maria");
    WebElement item = queueItem("SUP-7002");
    item.findElement(By.cssSelector("textarea")).sendKeys("The ticket is closed: reopen it first");
    item.findElement(By.cssSelector("button.deny")).click();

    browser.to(agent);
    WebElement decision = browser.await(".request[data-ticket='SUP-7002'] .decision.denied");
    assertThat(decision.getText()).contains("The ticket is closed: reopen it first");
    browser.screenshot("06-agent-denied");
    browser.to(manager);
  }

  @Test
  void unmaskingSsnNeedsASecurityApproverAndTheUiSaysSo() {
    String agent = signIn("alice");
    request("SUP-7003", "c-0004", "Customer disputes identity; compare the SSN on file", "ssn");
    assertThat(browser.find("#request-created").getText()).contains("security approver");

    String manager = signIn("maria");
    WebElement item = queueItem("SUP-7003");
    assertThat(item.findElement(By.cssSelector("[data-role='needs-security']")).getText()).contains("needs a security approver");
    item.findElement(By.cssSelector("button.approve")).click();
    browser.until(ExpectedConditions.textToBePresentInElementLocated(
        By.cssSelector(".queue-item[data-ticket='SUP-7003'] .card-status"), "still needs a security approver"));
    browser.screenshot("07-manager-needs-security");

    browser.to(agent);
    WebElement card = browser.await(".request[data-ticket='SUP-7003']");
    browser.until(ExpectedConditions.textToBePresentInElement(card, "Approvals: 1 of 1 required (maria)"));
    assertThat(card.getText()).contains("PENDING").contains("needs a security approver");

    signIn("sam");
    browser.find("#nav a[href='#/approvals']").click();
    queueItem("SUP-7003").findElement(By.cssSelector("button.approve")).click();

    browser.to(agent);
    browser.awaitClickable(".request[data-ticket='SUP-7003'] button.open-client[data-client='c-0004']");
    assertThat(browser.find(".request[data-ticket='SUP-7003']").getText()).contains("APPROVED").contains("sam");
    browser.to(manager);
  }

  @Test
  void anAgentOnTheSecurityPageSeesTheApisRefusal() {
    signIn("carol");
    browser.driver.navigate().to(node.ui + "#/security");
    WebElement refusal = browser.await("#forbidden");
    assertThat(refusal.getText()).contains("this needs the security role").contains("HTTP 403");
    assertThat(browser.driver.findElements(By.id("kill-all"))).isEmpty();
    browser.screenshot("08-agent-forbidden-security");
  }
}
