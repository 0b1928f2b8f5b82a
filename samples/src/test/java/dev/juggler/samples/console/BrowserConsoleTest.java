package dev.juggler.samples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.Progress;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's chromium driven by its chromedriver, headless. Skipped with a reason
 * when they are not installed (scripts/setup.d/50-chromium.sh installs them), failing instead when {@code CI=true}.
 * Every page it visits is saved to {@code target/screenshots/}, and every request the browser made is checked to
 * have gone to 127.0.0.1 only.
 */
class BrowserConsoleTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String TOKEN = "browser-test-token-123";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ChromeDriver driver;
    private static int requestsSeen;

    @TempDir
    Path dir;

    private ConsoleFixture fixture;
    private final List<ConsoleServer> servers = new ArrayList<>();

    @BeforeAll
    static void startBrowser() throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: run scripts/setup.d/50-chromium.sh");
        }
        Assumptions.assumeTrue(present, "no " + CHROMIUM + " and " + CHROMEDRIVER + " (apt-get install chromium chromium-driver)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1360,1000", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
            assertTrue(requestsSeen > 20, "the network check saw the pages' requests: " + requestsSeen);
        }
    }

    @BeforeEach
    void seed() {
        fixture = new ConsoleFixture(dir);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            assertOnlyLoopbackRequests();
            assertNoScriptErrors();
        } finally {
            servers.forEach(ConsoleServer::close);
            fixture.close();
        }
    }

    private String start(ConsoleServer.Builder builder) {
        ConsoleServer server = builder.port(0).refreshInterval(Duration.ofMillis(500)).start();
        servers.add(server);
        return server.url();
    }

    private String start() {
        return start(ConsoleServer.builder(fixture.ledger));
    }

    /**
     * Waits up to 15 s. A page that is replaced between finding an element and reading it (a form post, a
     * refresh) is read again on the next poll rather than failing the wait.
     */
    private static WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private static String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private static void waitForText(String id, String expected) {
        waiting().withMessage(() -> "#" + id + " shows " + expected + " (it shows " + text(id) + ")")
                .until(d -> text(id).equals(expected));
    }

    private static void screenshot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    private static void assertNoAlert() {
        try {
            driver.switchTo().alert();
            fail("a script from the data ran: an alert is open");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    /** Every request the browser sent since the last check went to 127.0.0.1 (or was a data: URL). */
    private static void assertOnlyLoopbackRequests() throws IOException {
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = JSON.readTree(entry.getMessage()).path("message");
            if (!message.path("method").asText().equals("Network.requestWillBeSent")) {
                continue;
            }
            String url = message.path("params").path("request").path("url").asText();
            requestsSeen++;
            if (url.startsWith("data:")) {
                continue;
            }
            assertEquals("127.0.0.1", URI.create(url).getHost(), "a request left the machine: " + url);
        }
    }

    /**
     * No script error and no Content-Security-Policy violation in the browser's console since the last check.
     * Answers with an error status are logged too; those the tests provoke (403, 503) are expected.
     */
    private static void assertNoScriptErrors() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            String message = entry.getMessage();
            boolean provoked = message.contains("Failed to load resource: the server responded with a status of 403")
                    || message.contains("Failed to load resource: the server responded with a status of 503");
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue() && !provoked) {
                fail("the browser reported: " + message);
            }
        }
    }

    @Test
    void panelShowsTheLedgersCountsAndUpdatesWithoutAReload() throws Exception {
        String url = start();
        driver.get(url);
        Progress p = fixture.ledger.reader().progress();
        waitForText("tracks-done", Long.toString(p.tracksDone()));
        assertEquals(Long.toString(p.tracksFailed()), text("tracks-failed"));
        assertEquals("2", text("tracks-failed"));
        assertEquals(Long.toString(p.tracksRunning()), text("tracks-running"));
        assertEquals(Long.toString(p.tracksPending()), text("tracks-pending"));
        assertEquals("1,800", text("frames-done"));
        assertEquals("5,000", text("frames-total"));
        assertEquals("96", text("jobs-queued"));
        assertEquals("33", text("jobs-running"));
        assertEquals("120.0 GB of 500.0 GB (24 %)", text("workspace"));
        assertTrue(text("cluster").startsWith("unreachable since "), text("cluster"));
        assertEquals(ConsoleFixture.PROBLEM, text("problems"), "a problem from the data shows as text");
        // The live panel rebuilds its rows on every event, so an element found a moment ago may be gone: retry.
        waiting().ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(By.cssSelector("#runs tbody td")).getText().equals(ConsoleFixture.RUN));
        assertTrue(driver.findElements(By.cssSelector("main i, main script")).isEmpty());
        assertNoAlert();
        waiting().until(d -> text("live").equals("live"));
        screenshot("panel");

        Object marker = driver.executeScript("window.notReloaded = 'yes'; return window.notReloaded;");
        fixture.ledger.complete(fixture.running, 400);
        Lease rest = fixture.claim(ConsoleFixture.UNICODE, 1000);
        fixture.ledger.complete(rest, 1000);
        waitForText("tracks-done", "2");
        assertEquals("0", text("tracks-running"));
        assertEquals("2,800", text("frames-done"));
        assertEquals(marker, driver.executeScript("return window.notReloaded;"), "updated in place, not reloaded");
        driver.findElement(By.id("refresh-now")).click();
        waitForText("tracks-done", "2");
    }

    @Test
    void panelPollsWhenTheServerTurnsItsEventStreamAway() throws Exception {
        String url = start(ConsoleServer.builder(fixture.ledger).sseClientCap(1));
        driver.get(url);
        waiting().until(d -> text("live").equals("live"));
        String first = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.TAB);
        try {
            driver.get(url);
            waiting().until(d -> text("live").startsWith("polling"));
            waitForText("tracks-failed", "2");
            fixture.ledger.complete(fixture.running, 400);
            waitForText("tracks-running", "0");
        } finally {
            driver.close();
            driver.switchTo().window(first);
        }
    }

    @Test
    void trackTableFiltersByTagChoosesColumnsAndKeepsTheViewInTheUrl() throws Exception {
        String url = start();
        driver.get(url + "tracks");
        waiting().until(d -> text("count").equals("1–5 of 5 tracks"));
        driver.findElement(By.id("f-tag")).sendKeys("camera=left");
        driver.findElement(By.id("apply")).click();
        waiting().until(d -> text("count").equals("1–2 of 2 tracks"));
        assertTrue(driver.getCurrentUrl().contains("tag=camera%3Dleft"), driver.getCurrentUrl());
        List<String> videos = driver.findElements(By.cssSelector("#table tbody tr td:nth-child(2)")).stream()
                .map(WebElement::getText).toList();
        assertEquals(List.of(ConsoleFixture.ALPHA, ConsoleFixture.UNICODE), videos);

        driver.findElement(By.cssSelector("#columns summary")).click();
        waiting().until(d -> !d.findElements(By.cssSelector("#chooser input[value='tag:region']")).isEmpty());
        driver.findElement(By.cssSelector("#chooser input[value='tag:region']")).click();
        driver.findElement(By.cssSelector("#chooser input[value='priority']")).click();
        driver.findElement(By.id("apply-columns")).click();
        waiting().until(d -> !d.findElements(By.cssSelector("#table th[data-key='tag:region']")).isEmpty());
        driver.findElement(By.cssSelector("#table th[data-key='track'] button")).click();
        waiting().until(d -> d.getCurrentUrl().contains("sort=-track"));
        waiting().until(d -> text("count").equals("1–2 of 2 tracks")
                && d.findElement(By.cssSelector("#table tbody tr td:nth-child(2)")).getText().equals(ConsoleFixture.UNICODE));

        driver.navigate().refresh(); // a bookmark of the view shows the same
        waiting().until(d -> !d.findElements(By.cssSelector("#table th[data-key='tag:region']")).isEmpty());
        assertEquals("東京", driver.findElement(By.cssSelector("#table tbody tr td:last-child")).getText());
        assertEquals("camera=left", driver.findElement(By.id("f-tag")).getAttribute("value"));
        assertTrue(driver.findElements(By.cssSelector("#table th[data-key='priority']")).isEmpty());
        screenshot("tracks");
        String csv = driver.findElement(By.id("csv")).getAttribute("href");
        assertTrue(csv.contains("/api/v1/tracks.csv?") && csv.contains("tag=camera%3Dleft"), csv);
    }

    @Test
    void videoIdsAndTagsFromTheDataRenderAsText() throws Exception {
        String url = start();
        driver.get(url + "tracks?columns=track,video,state,tag:region");
        waiting().until(d -> text("count").equals("1–5 of 5 tracks"));
        assertTrue(driver.findElements(By.xpath("//td[text()='" + ConsoleFixture.XSS + "']")).size() == 1, "the id shows as text");
        assertTrue(driver.findElements(By.xpath("//td[text()='<b>süd</b>']")).size() == 1);
        assertTrue(driver.findElements(By.cssSelector("main img, main b")).isEmpty(), "no markup from the data");
        assertNoAlert();
        driver.get(url + "track?id=" + fixture.track(ConsoleFixture.XSS));
        waitForText("video", ConsoleFixture.XSS);
        assertEquals("region=<b>süd</b>", driver.findElement(By.xpath("//span[@class='tag'][starts-with(., 'region')]")).getText());
        assertTrue(driver.findElements(By.cssSelector("main img, main b")).isEmpty());
        assertNoAlert();
        screenshot("xss-as-text");
    }

    @Test
    void aFailedTrackIsReScheduledThroughItsFailureGroupsDialog() throws Exception {
        String url = start();
        driver.get(url + "track?id=" + fixture.track(ConsoleFixture.XSS));
        waitForText("title", "Track " + fixture.track(ConsoleFixture.XSS));
        assertEquals(List.of("DONE", "FAILED"), driver.findElements(By.cssSelector("#coverage-box rect")).stream()
                .map(r -> r.getAttribute("data-state")).toList());
        assertEquals(ConsoleFixture.XSS_REASON,
                driver.findElement(By.cssSelector("#ranges tr[data-state='FAILED'] td.wrap")).getText());
        assertTrue(driver.findElement(By.cssSelector("#history tbody")).getText().contains("failed"));
        screenshot("track");

        driver.findElement(By.linkText("failures page")).click();
        waiting().until(d -> d.findElements(By.cssSelector("#groups tbody tr")).size() == 1);
        screenshot("failures");
        driver.findElement(By.cssSelector("button[data-group]")).click();
        waiting().until(d -> text("dialog-count").startsWith("2 failed ranges (1,200 frames) would go back to pending"));
        screenshot("reschedule-dialog");
        driver.findElement(By.id("dialog-confirm")).click();
        waitForText("dialog-result", "matched 2 / rescheduled 2 / skipped 0");
        screenshot("reschedule-result");
        driver.findElement(By.id("dialog-cancel")).click();
        waiting().until(d -> d.findElement(By.id("no-groups")).isDisplayed());
        assertTrue(text("last-result").endsWith("matched 2 / rescheduled 2 / skipped 0"));

        driver.get(url);
        waitForText("tracks-failed", "0");
        assertEquals(0, fixture.ledger.reader().progress().tracksFailed());
    }

    @Test
    void aReadOnlyConsoleHidesTheButtonsAndTheServerRefusesWrites() throws Exception {
        String url = start(ConsoleServer.builder(fixture.ledger).readOnly(true));
        driver.get(url + "failures");
        waiting().until(d -> d.findElements(By.cssSelector("#groups tbody tr")).size() == 1);
        assertTrue(driver.findElements(By.cssSelector("button[data-group]")).isEmpty(), "no re-schedule button");
        assertEquals("read-only", text("mode"));
        Object status = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/api/v1/reschedule', {method: 'POST', headers: {'Content-Type': 'application/json',"
                + " 'X-Juggler-CSRF': document.querySelector('meta[name=\"juggler-csrf\"]').content},"
                + " body: JSON.stringify({filter: {}, dryRun: false})}).then(r => done(r.status), e => done(String(e)));");
        assertEquals(403L, status);
        assertEquals(2, fixture.ledger.reader().progress().tracksFailed());
        screenshot("failures-read-only");
    }

    @Test
    void aConsoleWithATokenAsksForItOnce() throws Exception {
        String url = start(ConsoleServer.builder(fixture.ledger).token(TOKEN));
        driver.manage().deleteAllCookies();
        driver.get(url + "chunks?state=FAILED");
        waiting().until(d -> d.getCurrentUrl().contains("/login?next="));
        screenshot("login");
        driver.findElement(By.id("token")).sendKeys("not-the-token");
        driver.findElement(By.id("login-button")).click();
        waitForText("error", "That token is not right.");
        driver.findElement(By.id("token")).sendKeys(TOKEN);
        driver.findElement(By.id("login-button")).click();
        waiting().until(d -> d.getCurrentUrl().endsWith("/chunks?state=FAILED"));
        waiting().until(d -> text("count").equals("1–2 of 2 chunks"));
        screenshot("chunks");
        assertFalse(driver.getPageSource().contains(TOKEN));
        Object httpOnly = driver.executeScript("return document.cookie;");
        assertEquals("", httpOnly, "the session cookie is HttpOnly");
    }

    @Test
    void throughputAndJobsPagesDraw() throws Exception {
        String url = start();
        driver.get(url + "throughput");
        waiting().until(d -> !d.findElements(By.cssSelector("svg.chart path.fps-line")).isEmpty());
        assertTrue(text("summary").startsWith("1,800 frames done"), text("summary"));
        screenshot("throughput");
        driver.findElement(By.id("r-7d")).click();
        waiting().until(d -> d.getCurrentUrl().endsWith("range=7d")
                && !d.findElements(By.cssSelector("svg.chart path.jobs-line")).isEmpty());
        driver.get(url + "jobs");
        waiting().until(d -> text("count").equals("1–2 of 2 jobs"));
        assertEquals(List.of("RUNNING", "TIMEOUT"), driver.findElements(By.cssSelector("#table tbody td .state")).stream()
                .map(WebElement::getText).sorted().toList());
        screenshot("jobs");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("f-state"))).selectByValue("TIMEOUT");
        driver.findElement(By.id("apply")).click();
        waiting().until(d -> text("count").equals("1–1 of 1 jobs") && d.getCurrentUrl().contains("state=TIMEOUT"));
    }
}
