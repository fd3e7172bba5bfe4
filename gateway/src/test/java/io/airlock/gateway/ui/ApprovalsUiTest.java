package io.airlock.gateway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.gateway.testing.ControlPlaneClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The approvals UI in a real browser against a real demo node: agents ask, managers decide,
 * security kills, each in their own tab, as the issue's story is walked by a person.
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
    // located afresh on every poll: the live feed redraws the table
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-table"), "kill_all"));
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

  // --- what is built beyond the story: suspensions, revocation, audit filters, keyboard, narrow
  // windows, sessions that end. Preconditions go through the API (the story above walks them in
  // the browser); what is under test is done and read in the browser.

  /** An approved request of {@code agent} for one client, over the API; returns its id. */
  private String approved(String agent, String decider, String ticket, String client) throws Exception {
    ControlPlaneClient a = ControlPlaneClient.login(node.node.controlPlanePort(), agent);
    ControlPlaneClient.Reply created = a.post("/api/requests", new JsonObject()
        .put("ticket", ticket)
        .put("clients", new JsonArray().add(client))
        .put("reason", "Browser test: look at " + client + " for " + ticket)
        .put("durationMinutes", 15)
        .put("actions", new JsonArray().add("read")));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.json().getString("id");
    ControlPlaneClient.Reply ok = ControlPlaneClient.login(node.node.controlPlanePort(), decider)
        .post("/api/requests/" + id + "/approve", new JsonObject().put("comment", "fine"));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    return id;
  }

  private JsonObject grantOf(String agent, String requestId) throws Exception {
    return ControlPlaneClient.login(node.node.controlPlanePort(), agent).get("/api/requests/" + requestId).json().getJsonObject("grant");
  }

  private String clientName(String client) throws Exception {
    return new ObjectMapper().readTree(node.data.clientJson(client).orElseThrow()).get("name").asText();
  }

  /** Opens {@code client} in the agent's viewer from the card of {@code requestId}; waits for the data. */
  private void openInViewer(String requestId, String client) throws Exception {
    browser.click(".request[data-request-id='" + requestId + "'] button.open-client[data-client='" + client + "']");
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("viewer-data"), clientName(client)));
  }

  @Test
  void securitySuspendsAnAgentWhoseViewerClearsAndResumesThemAndTheirReadsWorkAgain() throws Exception {
    String requestId = approved("carol", "omar", "KYC-2001", "c-0100");
    String agent = signIn("carol");
    openInViewer(requestId, "c-0100");

    String security = signIn("sam");
    browser.type("#suspend-agent", "carol");
    browser.type("#suspend-reason", "Phone pointed at the screen");
    browser.click("#suspend");
    assertThat(browser.await("#agent-status .state.ok").getText()).contains("carol suspended");
    browser.await("#suspended-list li[data-agent='carol']");
    browser.screenshot("12-security-suspended-agent");

    browser.to(agent);
    WebElement ended = browser.await("#viewer-ended");
    assertThat(ended.getAttribute("data-code")).isEqualTo("agent_suspended");
    assertThat(ended.getText()).contains("suspended");
    assertThat(browser.driver.findElements(By.id("viewer-data"))).isEmpty();
    assertThat(browser.await("#suspended-notice").getText()).contains("Security suspended your account");

    browser.to(security);
    browser.click("#suspended-list li[data-agent='carol'] button");
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("suspended"), "No agent is suspended"));

    browser.to(agent);
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("suspended-notice"), "resumed"));
    // the grant was never revoked: once resumed, it reads again
    openInViewer(requestId, "c-0100");
    assertThat(browser.driver.findElements(By.id("viewer-ended"))).isEmpty();
  }

  @Test
  void aManagerRevokesAGrantFromTheTableAndTheAgentsViewerClearsWithinASecondSayingWhy() throws Exception {
    String requestId = approved("alice", "maria", "SUP-1234", "c-0006");
    String jti = grantOf("alice", requestId).getString("jti");
    String agent = signIn("alice");
    openInViewer(requestId, "c-0006");

    String manager = signIn("maria");
    String row = "#grants-table tr[data-jti='" + jti + "']";
    browser.type(row + " input[name='reason']", "Ticket closed by the customer");
    // a live update redraws the page while the manager types: the reason must survive it
    ControlPlaneClient.Reply other = ControlPlaneClient.login(node.node.controlPlanePort(), "bob").post("/api/requests",
        new JsonObject().put("ticket", "SUP-1235").put("clients", new JsonArray().add("c-0010"))
            .put("reason", "Arrives while maria types a revoke reason").put("durationMinutes", 5));
    browser.await(".queue-item[data-request-id='" + other.json().getString("id") + "']");
    assertThat(browser.find(row + " input[name='reason']").getAttribute("value")).isEqualTo("Ticket closed by the customer");
    browser.screenshot("13-manager-active-grants");
    long sentAt = System.currentTimeMillis();
    browser.click(row + " button.danger");
    browser.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(row)));

    browser.to(agent);
    WebElement ended = browser.await("#viewer-ended");
    long endedAt = Long.parseLong(ended.getAttribute("data-ended-at"));
    assertThat(endedAt - sentAt).as("ms from revoke to a cleared viewer").isLessThan(1000);
    assertThat(ended.getAttribute("data-code")).isEqualTo("grant_revoked");
    assertThat(browser.driver.findElements(By.id("viewer-data"))).isEmpty();
    // the live event names who revoked it and why (it may arrive just after the data plane's refusal)
    browser.until(ExpectedConditions.textToBePresentInElement(ended, "revoked by maria: Ticket closed by the customer"));
    assertThat(browser.find(".request[data-request-id='" + requestId + "']").getText()).contains("Grant ended");
    browser.screenshot("14-agent-viewer-revoked-by-manager");
    browser.to(manager);
  }

  /** The text of one column of the audit table, row by row. */
  @SuppressWarnings("unchecked")
  private List<String> auditColumn(int column) {
    return (List<String>) browser.js(
        "return [...document.querySelectorAll('#audit-table tbody tr')].map(r => r.cells[arguments[0]].textContent)", column);
  }

  @Test
  void theAuditFeedFiltersNarrowWhatSecuritySees() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String[] g : List.of(new String[] {"bob", "SUP-1235", "c-0011"}, new String[] {"alice", "SUP-1234", "c-0005"})) {
      String token = grantOf(g[0], approved(g[0], "maria", g[1], g[2])).getString("token");
      HttpResponse<Void> read = http.send(HttpRequest.newBuilder(URI.create(node.dataPlane + "/clients/" + g[2]))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding());
      assertThat(read.statusCode()).isEqualTo(200);
      if (g[0].equals("bob")) {
        HttpResponse<Void> refused = http.send(HttpRequest.newBuilder(URI.create(node.dataPlane + "/clients/c-0012"))
            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(refused.statusCode()).as("outside bob's grant").isEqualTo(403);
      }
    }
    signIn("sam");
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-table"), "c-0011"));
    assertThat(auditColumn(2)).contains("alice", "bob");

    browser.type("#audit-agent", "bob");
    browser.click("#audit-filters button[type='submit']");
    browser.until(d -> !auditColumn(2).isEmpty() && auditColumn(2).stream().allMatch("bob"::equals));
    assertThat(auditColumn(1)).as("bob's read is among them").contains("access");
    browser.js("document.getElementById('audit-h').scrollIntoView()");
    browser.screenshot("15-security-audit-filtered");

    browser.type("#audit-agent", "");
    browser.type("#audit-client", "c-0005");
    browser.click("#audit-filters button[type='submit']");
    browser.until(d -> !auditColumn(3).isEmpty() && auditColumn(3).stream().allMatch(c -> c.contains("c-0005")));
    assertThat(auditColumn(2)).contains("alice").doesNotContain("bob");

    browser.type("#audit-client", "");
    new Select(browser.await("#audit-type")).selectByVisibleText("Refusals");
    browser.click("#audit-filters button[type='submit']");
    browser.until(d -> !auditColumn(1).isEmpty() && auditColumn(1).stream().allMatch("denied"::equals));
    assertThat(auditColumn(3)).as("bob's refused read is there").contains("c-0012");

    new Select(browser.await("#audit-type")).selectByVisibleText("All events");
    browser.type("#audit-client", "c-9999");
    browser.click("#audit-filters button[type='submit']");
    assertThat(browser.await("#audit .state.empty").getText()).contains("No audit records match these filters");
  }

  /** The accessible name of the focused control: its label, else aria-label, else its text. */
  private String focusedName() {
    return (String) browser.js(
        "const e = document.activeElement;"
            + "const l = e.labels && e.labels.length ? [...e.labels].map(x => x.textContent).join(' ') : '';"
            + "return (l || e.getAttribute('aria-label') || e.textContent || '').trim();");
  }

  /** Tabs forward until {@code id} has focus; every stop on the way must be named and show its focus. */
  private void tabTo(String id) {
    for (int i = 0; i < 40 && !id.equals(browser.focusedId()); i++) {
      browser.keys(Keys.TAB);
      assertThat(focusedName()).as("accessible name of #" + browser.focusedId()).isNotBlank();
      assertThat((String) browser.js("return getComputedStyle(document.activeElement).outlineStyle"))
          .as("visible focus on #" + browser.focusedId()).isNotEqualTo("none");
    }
    assertThat(browser.focusedId()).isEqualTo(id);
  }

  @Test
  void anAgentSignsInFillsAndSendsTheRequestFormWithTheKeyboardOnly() {
    browser.newTab(node.ui);
    browser.awaitClickable(".user-choice[data-user='alice']");
    assertThat(browser.driver.findElements(By.id("sso-sign-in"))).as("no SSO in demo mode").isEmpty();
    assertThat((String) browser.js("return document.activeElement.dataset.user")).isEqualTo("alice");
    browser.keys(Keys.ENTER);
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("current-user"), "alice"));
    browser.await("#request-form");

    tabTo("req-ticket");
    assertThat(focusedName()).contains("Ticket");
    browser.keys("SUP-1234");
    tabTo("req-duration");
    browser.keys(Keys.BACK_SPACE, Keys.BACK_SPACE, "20");
    tabTo("req-clients");
    browser.keys("c-0007");
    tabTo("req-reason");
    browser.keys("Customer asks why the card was declined");
    tabTo("unmask-email");
    browser.keys(Keys.SPACE);
    tabTo("req-submit");
    browser.keys(Keys.ENTER);

    WebElement created = browser.await("#request-status .state:not(.loading)");
    assertThat(created.getAttribute("id")).as(created.getText()).isEqualTo("request-created");
    WebElement card = browser.await(".request[data-request-id='" + created.getAttribute("data-request-id") + "']");
    assertThat(card.getText()).contains("c-0007").contains("20 min").contains("unmask email");
  }

  /** Right edge of anything in the main content that sticks out of the window (outside scroll boxes). */
  private List<?> overflowing() {
    return (List<?>) browser.js(
        "const w = document.documentElement.clientWidth, out = [];"
            + "const scrolls = (e) => { for (let p = e.parentElement; p && p.tagName !== 'MAIN'; p = p.parentElement) {"
            + "  const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; } return false; };"
            + "for (const e of document.querySelectorAll('main *')) {"
            + "  const r = e.getBoundingClientRect();"
            + "  if (r.width > 0 && r.right > w + 1 && !scrolls(e)) out.push((e.id || e.tagName) + ' right=' + Math.round(r.right));"
            + "}"
            + "if (document.documentElement.scrollWidth > window.innerWidth) out.push('page scrollWidth=' + document.documentElement.scrollWidth);"
            + "return out;");
  }

  @Test
  void onA420PixelWindowNoPageScrollsSideways() throws Exception {
    String requestId = approved("bob", "maria", "SUP-1235", "c-0012");
    for (String[] who : List.of(new String[] {"bob", "agent"}, new String[] {"maria", "approvals"}, new String[] {"sam", "security"})) {
      signIn(who[0]);
      browser.viewport(420, 860);
      switch (who[1]) {
        case "agent" -> openInViewer(requestId, "c-0012");
        case "approvals" -> browser.await("#grants-table");
        default -> browser.await("#audit-table");
      }
      assertThat(overflowing()).as(who[1] + " at 420 px").isEmpty();
      browser.screenshot("16-narrow-" + who[1]);
    }
    browser.newTab(node.ui);
    browser.viewport(420, 860);
    browser.await(".user-choice");
    assertThat(overflowing()).as("sign-in at 420 px").isEmpty();
  }

  @Test
  void aSessionTheGatewayNoLongerAcceptsOrThatExpiredEndsOnTheSignInScreenSayingSo() {
    signIn("alice");
    browser.await("#my-requests[aria-busy='false']");
    // as after a restart with a new staff-token key: the stored token no longer verifies
    browser.js("const s = JSON.parse(sessionStorage.getItem('airlock.session'));"
        + "s.token = s.token.slice(0, -6) + 'AAAAAA'; sessionStorage.setItem('airlock.session', JSON.stringify(s)); location.reload();");
    WebElement message = browser.await("#signin-message");
    assertThat(message.getText()).startsWith("Your session ended:");
    assertThat(browser.driver.findElements(By.id("current-user"))).isEmpty();
    assertThat((String) browser.js("return sessionStorage.getItem('airlock.session')")).isNull();
    browser.screenshot("17-session-ended");

    // the clock runs out while the tab is open
    signIn("alice");
    browser.js("const s = JSON.parse(sessionStorage.getItem('airlock.session'));"
        + "s.expiresAt = new Date(Date.now() + 1500).toISOString(); sessionStorage.setItem('airlock.session', JSON.stringify(s)); location.reload();");
    browser.await("#request-form");
    assertThat(browser.until(Duration.ofSeconds(5), ExpectedConditions.visibilityOfElementLocated(By.id("signin-message"))).getText())
        .isEqualTo("Your session expired. Sign in again.");

    // or ran out while the tab was closed
    signIn("alice");
    browser.js("const s = JSON.parse(sessionStorage.getItem('airlock.session'));"
        + "s.expiresAt = new Date(Date.now() - 1000).toISOString(); sessionStorage.setItem('airlock.session', JSON.stringify(s)); location.reload();");
    assertThat(browser.await("#signin-message").getText()).isEqualTo("Your session expired. Sign in again.");
  }
}
