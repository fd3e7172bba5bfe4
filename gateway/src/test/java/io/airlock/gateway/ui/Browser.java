package io.airlock.gateway.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless chromium driven through Debian's chromedriver, in a fresh profile. Each
 * staff member gets their own tab, as a person would open three tabs: the UI keeps its session
 * in sessionStorage, which is per tab.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final Duration WAIT = Duration.ofSeconds(15);

  static {
    // never let Selenium Manager look for (or download) a browser or driver
    System.setProperty("SE_OFFLINE", "true");
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
  }

  final ChromeDriver driver;
  private final Path profile;
  private final String blankTab;

  Browser() throws IOException {
    profile = Files.createTempDirectory("airlock-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-dev-shm-usage",
        // tabs not in front keep their timers and streams at full speed, as a person's
        // visible windows side by side would
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        "--window-size=1280,800",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    blankTab = driver.getWindowHandle();
  }

  /** Opens a new tab on {@code url} with a 1280×800 viewport; returns its handle. */
  String newTab(String url) {
    driver.switchTo().newWindow(WindowType.TAB);
    viewport(1280, 800);
    driver.get(url);
    return driver.getWindowHandle();
  }

  /** The page's own size (the window's size would include the browser's frame). */
  void viewport(int width, int height) {
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
  }

  void to(String tab) {
    driver.switchTo().window(tab);
  }

  /** Closes every tab but the blank first one, which keeps the browser alive between tests. */
  void closeTabs() {
    for (String handle : List.copyOf(driver.getWindowHandles())) {
      if (!handle.equals(blankTab)) {
        driver.switchTo().window(handle).close();
      }
    }
    driver.switchTo().window(blankTab);
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  WebElement await(String css) {
    return until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  WebElement awaitClickable(String css) {
    return until(ExpectedConditions.elementToBeClickable(By.cssSelector(css)));
  }

  <T> T until(Function<? super WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).until(condition);
  }

  <T> T until(Duration within, Function<? super WebDriver, T> condition) {
    return new WebDriverWait(driver, within).pollingEvery(Duration.ofMillis(50)).until(condition);
  }

  /**
   * Clicks what {@code css} finds once it is clickable, again if a live redraw replaced it between
   * finding and clicking (the security page redraws every few seconds).
   */
  void click(String css) {
    until(d -> {
      try {
        WebElement e = d.findElement(By.cssSelector(css));
        if (!e.isDisplayed() || !e.isEnabled()) {
          return false;
        }
        e.click();
        return true;
      } catch (StaleElementReferenceException | NoSuchElementException e) {
        return false;
      }
    });
  }

  /** Presses keys on whatever has focus, as a keyboard would. */
  void keys(CharSequence... keys) {
    new Actions(driver).sendKeys(keys).perform();
  }

  /** The id of the element that has focus. */
  String focusedId() {
    return (String) js("return document.activeElement ? document.activeElement.id : null");
  }

  void type(String css, String text) {
    WebElement e = await(css);
    e.clear();
    e.sendKeys(text);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Saves the current tab as target/screenshots/{name}.png. */
  Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path png = SCREENSHOTS.resolve(name + ".png");
      Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.move(shot, png, StandardCopyOption.REPLACE_EXISTING);
      return png;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
