package io.meterline.platform.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.core.type.Argument;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code /graphiql} in a real browser: Debian's Chromium, driven through Debian's ChromeDriver.
 * The page loads nothing from outside the server, signs in through its form, and runs a query
 * with the token it put into the Headers tab. Skipped only where Chromium or ChromeDriver is not
 * installed (a developer machine with just a JDK); CI installs both, so there it always runs.
 */
class GraphiQLBrowserIT extends ServerTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String NO_BROWSER = "needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String QUERY = "{ viewer { user { email role } } }";
    /** Schemes that never leave the browser: its own pages (a new tab's, say) and inline data. */
    private static final Set<String> BROWSER_INTERNAL = Set.of("about", "blob", "chrome", "chrome-extension", "chrome-untrusted", "data", "devtools");
    /** Held, so the level sticks: ChromeDriver looks for a CDP binding matching Chromium's version, which tests here don't use. */
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    /** A failed test leaves a picture of the page next to the passing one. */
    @RegisterExtension
    final TestWatcher screenshotOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (driver != null) {
                try {
                    screenshot("graphiql-failed-" + context.getRequiredTestMethod().getName() + ".png");
                }
                catch (RuntimeException | IOException e) {
                    cause.addSuppressed(e);
                }
            }
        }
    };

    private ChromeDriverService service;
    private WebDriver driver;
    private Path profile;
    private String origin;

    /** GraphiQL is off unless configured; this test is about the page, so it switches it on. */
    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put("meterline.graphiql.enabled", "true");
        return properties;
    }

    private static boolean browserInstalled() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    @BeforeAll
    void startBrowser() throws IOException {
        if (!browserInstalled()) {
            return; // each test is then skipped by its assumption, and reported as skipped
        }
        origin = "http://localhost:" + server.getPort();

        // The driver is given to the service, so Selenium Manager never runs; were it ever to, SE_* properties
        // reach it as its environment, and SE_OFFLINE keeps it from downloading a browser or a driver.
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
        profile = Files.createTempDirectory("graphiql-chromium-");
        Files.createDirectories(screenshots());

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,900", "--user-data-dir=" + profile);
        // Every request the browser makes, including failed ones, from ChromeDriver's performance log.
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        // The console, where Chromium reports every content security policy violation.
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);

        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(target().resolve("chromedriver.log").toFile())
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
        requestsSoFar(); // whatever the browser did before it was given a page
    }

    @AfterAll
    void stopBrowser() throws IOException {
        try {
            if (driver != null) {
                driver.quit();
            }
        }
        finally {
            if (service != null) {
                service.stop();
            }
            if (profile != null) {
                try (Stream<Path> files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
                }
            }
        }
    }

    /**
     * Each test starts on a fresh page with nothing in local storage: signed out, GraphiQL's defaults.
     * Loading it, scripts, styles, fonts and GraphiQL's first schema fetch, asked nothing of anyone but the server.
     */
    @BeforeEach
    void openSignedOut() {
        Assumptions.assumeTrue(browserInstalled(), NO_BROWSER);
        driver.get(origin + "/graphiql");
        js("localStorage.clear();");
        driver.navigate().refresh();
        waitForGraphiQL();
        assertEverythingCameFromTheServer(requestsSoFar());
        assertNoPolicyViolation();
    }

    /** Every test ends with the console free of content security policy violations: the page's own assets satisfy its policy. */
    @AfterEach
    void assertNoPolicyViolationAtTheEnd() {
        if (driver != null) {
            assertNoPolicyViolation();
        }
    }

    @Test
    void signsInAndRunsAQueryWithTheTokenFromTheHeadersTab() throws IOException {
        assertThat(driver.getTitle()).isEqualTo("Meterline GraphiQL");
        assertThat(text("#status")).isEqualTo("Not signed in");
        assertEverythingCameFromTheServer(requestsSoFar());

        markRenderedGraphiQLStale();
        signIn(TestApi.ADMIN_EMAIL, TestApi.ADMIN_PASSWORD);
        until("signed in", () -> text("#status").startsWith("Signed in"));
        assertThat((String) js("return localStorage.getItem('meterline.accessToken');")).isNotBlank();
        // Sign-in re-mounts GraphiQL with the token in its Headers tab; work with the new one.
        until("GraphiQL re-rendered after sign-in",
                () -> Boolean.TRUE.equals(js("const c = document.querySelector('.graphiql-container'); return !!c && !c.meterlineStale;")));
        waitForGraphiQL();
        driver.findElement(By.xpath("//button[normalize-space()='Headers']")).click();
        until("the Headers tab holds the bearer token", () -> headersEditorValue().contains("\"Authorization\": \"Bearer ey"));

        js("document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0]);", QUERY);
        driver.findElement(By.cssSelector(".graphiql-execute-button")).click();
        until("the result shows the admin", () -> {
            String result = resultText();
            return result.contains(TestApi.ADMIN_EMAIL) && result.contains("PLATFORM_ADMIN");
        });
        assertThat(resultText()).doesNotContain("\"errors\"");
        screenshot("graphiql.png");

        // Sign-in and the query went to the server too, and nowhere else.
        List<String> requests = requestsSoFar();
        assertThat(requests).anyMatch(url -> url.equals(origin + "/login")).anyMatch(url -> url.equals(origin + "/graphql"));
        assertEverythingCameFromTheServer(requests);
    }

    @Test
    void aWrongPasswordIsReportedAndStoresNoToken() {
        signIn(TestApi.ADMIN_EMAIL, "not-the-password");
        until("sign-in failed", () -> text("#status").startsWith("Sign-in failed"));
        assertThat(text("#status")).isEqualTo("Sign-in failed (401)");
        assertThat((Object) js("return localStorage.getItem('meterline.accessToken');")).isNull();
        assertEverythingCameFromTheServer(requestsSoFar());
    }

    /**
     * Chromium logs "Refused to ... because it violates the following Content Security Policy
     * directive" for anything the policy blocked; the page must trigger none, while it does have a policy.
     */
    private void assertNoPolicyViolation() {
        List<String> violations = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getMessage().contains("Content Security Policy")) {
                violations.add(entry.getMessage());
            }
        }
        assertThat(violations).as("content security policy violations in the console").isEmpty();
    }

    private void signIn(String email, String password) {
        driver.findElement(By.id("email")).sendKeys(email);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.cssSelector("#signin button[type=submit]")).click();
    }

    private void waitForGraphiQL() {
        until("GraphiQL rendered", () -> Boolean.TRUE.equals(js(
                "const cm = document.querySelector('.graphiql-container .graphiql-query-editor .CodeMirror');"
                        + " return !!(cm && cm.CodeMirror) && !!document.querySelector('.graphiql-execute-button');")));
    }

    /** Tags the GraphiQL on screen, so a wait can tell it from the one mounted after sign-in. */
    private void markRenderedGraphiQLStale() {
        js("document.querySelector('.graphiql-container').meterlineStale = true;");
    }

    /** The editor on show under the Headers tab (the Variables editor sits hidden beside it). */
    private String headersEditorValue() {
        return (String) js("const cm = document.querySelector('section.graphiql-editor-tool[aria-label=Headers] .graphiql-editor:not(.hidden) .CodeMirror');"
                + " return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';");
    }

    private String resultText() {
        return (String) js("const r = document.querySelector('.graphiql-response .result-window') || document.querySelector('.result-window');"
                + " if (!r) return ''; const cm = r.querySelector('.CodeMirror');"
                + " return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : r.textContent;");
    }

    private void assertEverythingCameFromTheServer(List<String> requests) {
        assertThat(requests).as("requests the page made").isNotEmpty()
                .anyMatch(url -> url.contains("/graphiql/assets/graphiql/2.4.7/graphiql.min.js"));
        assertThat(requests).as("requests the page made").allMatch(url -> url.startsWith(origin + "/"), "start with " + origin + "/");
    }

    /**
     * URLs the browser asked for: the current page's resource timing entries, plus every request in
     * ChromeDriver's performance log since the last call, failed ones too, so a blocked CDN call cannot
     * go unnoticed. Only what stays inside the browser (a chrome:// page, a data: URL) is left out.
     */
    private List<String> requestsSoFar() {
        List<String> urls = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Object> timed = (List<Object>) js("return performance.getEntriesByType('resource').map(e => e.name);");
        timed.forEach(url -> urls.add((String) url));
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            Map<String, Object> event = read(entry.getMessage());
            if ("Network.requestWillBeSent".equals(TestApi.at(event, "message.method"))) {
                Object url = TestApi.at(event, "message.params.request.url");
                if (url instanceof String s && !BROWSER_INTERNAL.contains(s.substring(0, Math.max(s.indexOf(':'), 0)))) {
                    urls.add(s);
                }
            }
        }
        return urls;
    }

    private Map<String, Object> read(String json) {
        try {
            return jsonMapper.readValue(json, Argument.mapOf(String.class, Object.class));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String text(String css) {
        return driver.findElement(By.cssSelector(css)).getText().trim();
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void until(String what, BooleanSupplier condition) {
        new WebDriverWait(driver, WAIT).withMessage(what).until(d -> condition.getAsBoolean());
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(screenshots());
        Files.write(screenshots().resolve(name), ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
    }

    /** platform/target, also when the test runs from an IDE whose working directory is the module. */
    private static Path target() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
    }

    private static Path screenshots() {
        return target().resolve("screenshots");
    }
}
