package io.meterline.platform.usage;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.meterline.platform.account.BillingCurrencyHistory;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.fx.EcbLoader;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.StatementCounter;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Usage converted into the organization's billing currency at ingestion, through {@code POST /v1/usage}
 * and GraphQL on the real database: exact cross rates checked against a hand computation, the
 * weekend fallback, events held until a rate exists (fxRateSet and the ECB loader), the same
 * currency, a billing-currency change, replays, repricing, and no read of usage_event to convert.
 *
 * <p>Rates of the test (units per euro, set with fxRateSet unless noted): Mon 2026-11-16 USD 1.0823,
 * CAD 1.4951; Fri 2026-11-20 USD 1.08, CAD 1.5; NZD only once a test sets it; SEK and USD 2026-11-18
 * from the ECB loader. The bundled file ends in March 2026, so these are the rates the days use.
 */
class UsageConversionIT extends ServerTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String DAILY = "/stats/eurofxref/eurofxref-daily.xml";
    private static final String SET_RATE = "mutation($input: FxRateSetInput!) { fxRateSet(input: $input) { fxRate { rate } userErrors { field code } } }";
    private static final String EVENTS = "query($model: String) { usageEvents(first: 100, model: $model) { nodes { eventId originalCost { amount currencyCode }"
            + " cost { amount currencyCode } exchangeRate { from to rate rateDate } } } }";
    private static final String SUMMARY = "query($from: Date, $to: Date) { usageSummary(range: {from: $from, to: $to}, timeZone: \"UTC\") { requests unpricedRequests unconvertedRequests } }";
    /** gpt-4 list prices: 123,457 input tokens at 0.03 USD and 54,321 output tokens at 0.06 USD per thousand. */
    private static final BigDecimal GPT4_COST = new BigDecimal("6.962970000");

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    MutableClock clock;

    @Inject
    StatementCounter statements;

    @Inject
    EcbLoader loader;

    @Inject
    BillingCurrencyHistory billingCurrencies;

    @Inject
    OrganizationRepository organizations;

    @Inject
    HeldUsageConverter heldUsage;

    WireMockServer ecb;
    Rows rows;
    String admin;

    @Override
    public Map<String, String> getProperties() {
        ecb = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        ecb.start();
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put(StatementCounter.ENABLE, "true");
        properties.put("meterline.fx.ecb-url", ecb.baseUrl() + DAILY);
        properties.put("meterline.fx.backoff", "0s");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        clock.set(NOW);
        admin = api.adminToken();
        setRate("USD", "1.0823", "2026-11-16");
        setRate("CAD", "1.4951", "2026-11-16");
        setRate("USD", "1.08", "2026-11-20");
        setRate("CAD", "1.5", "2026-11-20");
    }

    @AfterAll
    void stopEcb() {
        ecb.stop();
    }

    @BeforeEach
    void resetClock() {
        clock.set(NOW);
    }

    private TestApi.Response setRate(String currency, String rate, String date) {
        return api.graphql(admin, SET_RATE, Map.of("input", Map.of("currency", currency, "rate", rate, "date", date)));
    }

    private static Map<String, Object> gpt4(String id, String timestamp) {
        return event(id, timestamp, "gpt-4", Map.of("input_tokens", 123457, "output_tokens", 54321));
    }

    private static Map<String, Object> event(String id, String timestamp, String model, Map<String, Object> meters) {
        return event(id, timestamp, "openai", model, meters);
    }

    private static Map<String, Object> event(String id, String timestamp, String provider, String model, Map<String, Object> meters) {
        Map<String, Object> event = new HashMap<>();
        event.put("id", id);
        event.put("timestamp", timestamp);
        event.put("provider", provider);
        event.put("model", model);
        event.put("meters", meters);
        return event;
    }

    private TestApi.Response send(Fixtures.Tenant tenant, Object... events) {
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(events))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response;
    }

    /** The event as usageEvents shows it to the organization's admin. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> shown(Fixtures.Tenant tenant, String eventId) {
        TestApi.Response response = api.graphql(tenant.adminToken(), EVENTS, new HashMap<>());
        for (Object node : (List<Object>) response.at("data.usageEvents.nodes")) {
            Map<String, Object> event = (Map<String, Object>) node;
            if (eventId.equals(event.get("eventId"))) {
                return event;
            }
        }
        throw new AssertionError("usageEvents does not show " + eventId + ": " + response.body());
    }

    private static Object path(Map<String, Object> event, String field, String key) {
        Object value = event.get(field);
        return value == null ? null : ((Map<?, ?>) value).get(key);
    }

    private long organizationId(Fixtures.Tenant tenant) {
        return ((Number) rows.value("SELECT id FROM organization WHERE slug = ?", tenant.slug())).longValue();
    }

    private long audits(Fixtures.Tenant tenant) {
        return rows.count("SELECT COUNT(*) FROM usage_convert_audit a JOIN usage_event e ON e.id = a.usage_event_id WHERE e.organization_id = ?",
                organizationId(tenant));
    }

    private long held(Fixtures.Tenant tenant) {
        return rows.count("SELECT COUNT(*) FROM usage_unconverted WHERE organization_id = ?", organizationId(tenant));
    }

    /** The hand computation: the cross rate divided once to 12 decimals, the amount rounded once to 9, both HALF_EVEN. */
    private static BigDecimal expected(BigDecimal amount, String fromPerEuro, String toPerEuro) {
        BigDecimal rate = new BigDecimal(toPerEuro).divide(new BigDecimal(fromPerEuro), 12, RoundingMode.HALF_EVEN);
        return amount.multiply(rate).setScale(9, RoundingMode.HALF_EVEN);
    }

    @Test
    void usdAndEurUsageOfACadOrganizationConvertToTheCent() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "convert-cad", "America/Toronto", "CAD");
        TestApi.Response response = send(tenant, gpt4("cad-usd", "2026-11-16T15:00:00Z"),
                event("cad-eur", "2026-11-16T16:00:00Z", "flat-token", "any", Map.of("tokens", 48611)));
        assertThat(response.at("results.0.currency")).isEqualTo("USD");
        // The flat-token provider prices every token at 0.00002 EUR.
        assertThat(response.at("results.1.cost")).isEqualTo("0.972220000");
        assertThat(response.at("results.1.currency")).isEqualTo("EUR");

        Map<String, Object> usd = shown(tenant, "cad-usd");
        assertThat(path(usd, "originalCost", "amount")).isEqualTo("6.962970000");
        // 1.4951 / 1.0823 = 1.381409960270; 6.96297 x 1.381409960270 = 9.618716111 CAD.
        assertThat(expected(GPT4_COST, "1.0823", "1.4951")).isEqualByComparingTo("9.618716111");
        assertThat(path(usd, "cost", "amount")).isEqualTo("9.618716111");
        assertThat(path(usd, "cost", "currencyCode")).isEqualTo("CAD");
        assertThat(usd.get("exchangeRate")).isEqualTo(Map.of("from", "USD", "to", "CAD", "rate", "1.381409960270", "rateDate", "2026-11-16"));

        Map<String, Object> eur = shown(tenant, "cad-eur");
        // EUR is the base: the rate is CAD's own, 0.97222 x 1.4951 = 1.453566122 CAD.
        assertThat(expected(new BigDecimal("0.97222"), "1", "1.4951")).isEqualByComparingTo("1.453566122");
        assertThat(path(eur, "cost", "amount")).isEqualTo("1.453566122");
        assertThat(eur.get("exchangeRate")).isEqualTo(Map.of("from", "EUR", "to", "CAD", "rate", "1.495100000000", "rateDate", "2026-11-16"));
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event WHERE organization_id = ? AND billing_cost IS NULL", organizationId(tenant))).isZero();
        assertThat(held(tenant)).isZero();
        assertThat(audits(tenant)).as("converted at ingestion, not by a later pass").isZero();
    }

    @Test
    void weekendUsageUsesFridaysRate() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "convert-weekend", "UTC", "CAD");
        send(tenant, gpt4("weekend-sun", "2026-11-22T23:59:59Z"));
        Map<String, Object> sunday = shown(tenant, "weekend-sun");
        assertThat(path(sunday, "cost", "amount")).isEqualTo(expected(GPT4_COST, "1.08", "1.5").toPlainString()).isEqualTo("9.670791667");
        assertThat(sunday.get("exchangeRate")).isEqualTo(Map.of("from", "USD", "to", "CAD", "rate", "1.388888888889", "rateDate", "2026-11-20"));
    }

    @Test
    void sameCurrencyIsTheCostItself() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "convert-usd", "UTC", "USD");
        send(tenant, gpt4("usd-usd", "2026-11-17T10:00:00Z"));
        Map<String, Object> event = shown(tenant, "usd-usd");
        assertThat(event.get("cost")).isEqualTo(Map.of("amount", "6.962970000", "currencyCode", "USD"));
        assertThat(event.get("exchangeRate")).isNull();
        assertThat(rows.value("SELECT fx_rate FROM usage_event WHERE event_id = 'usd-usd'")).asString().startsWith("1.000000000000");
    }

    @Test
    void heldUntilFxRateSetStoresARateThenConvertedOnceWithAnAuditRow() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "convert-nzd", "UTC", "NZD");
        send(tenant, gpt4("nzd-1", "2026-11-17T10:00:00Z"), event("nzd-unpriced", "2026-11-17T10:00:00Z", "no-price-yet", Map.of("input_tokens", 10)));
        Map<String, Object> waiting = shown(tenant, "nzd-1");
        assertThat(path(waiting, "originalCost", "amount")).isEqualTo("6.962970000");
        assertThat(waiting.get("cost")).as("unconverted is shown as null, never as 0").isNull();
        assertThat(waiting.get("exchangeRate")).isNull();
        Map<String, Object> day = Map.of("from", "2026-11-17", "to", "2026-11-17");
        TestApi.Response summary = api.graphql(tenant.adminToken(), SUMMARY, day);
        assertThat(((Number) summary.at("data.usageSummary.requests")).longValue()).as(summary.body()).isEqualTo(2);
        assertThat(((Number) summary.at("data.usageSummary.unpricedRequests")).longValue()).isEqualTo(1);
        assertThat(((Number) summary.at("data.usageSummary.unconvertedRequests")).longValue()).isEqualTo(1);
        assertThat(held(tenant)).as("the unpriced event has nothing to convert").isEqualTo(1);

        // Hostile rates are refused and change nothing: the event stays held, no audit row.
        assertThat(setRate("NZD", "0", "2026-11-17").codes("data.fxRateSet.userErrors")).containsExactly("OUT_OF_RANGE");
        assertThat(setRate("NZD", "-1.7", "2026-11-17").codes("data.fxRateSet.userErrors")).containsExactly("OUT_OF_RANGE");
        assertThat(setRate("NZD", "1.7", "2026-11-26").codes("data.fxRateSet.userErrors")).containsExactly("OUT_OF_RANGE");
        assertThat(held(tenant)).isEqualTo(1);
        assertThat(audits(tenant)).isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM fx_rate WHERE quote_currency = 'NZD'")).isZero();

        // A rate for a later day does not cover the event's day: still held.
        assertThat(setRate("NZD", "1.70", "2026-11-18").at("data.fxRateSet.fxRate.rate")).isNotNull();
        assertThat(held(tenant)).isEqualTo(1);
        assertThat(audits(tenant)).isZero();

        statements.start("usage_event ");
        assertThat(setRate("NZD", "1.6789", "2026-11-17").at("data.fxRateSet.fxRate.rate")).isNotNull();
        assertThat(statements.count()).as("one read of the held events by their ids (for the listeners) and one UPDATE by id, no scan").isEqualTo(2);
        Map<String, Object> converted = shown(tenant, "nzd-1");
        // USD's leg is Monday's (1.0823), NZD's Tuesday's: the older day dates the cross rate.
        assertThat(path(converted, "cost", "amount")).isEqualTo(expected(GPT4_COST, "1.0823", "1.6789").toPlainString()).isEqualTo("10.801192214");
        assertThat(converted.get("exchangeRate")).isEqualTo(Map.of("from", "USD", "to", "NZD", "rate", "1.551233484247", "rateDate", "2026-11-16"));
        statements.start("usage_event ");
        TestApi.Response after = api.graphql(tenant.adminToken(), SUMMARY, day);
        assertThat(((Number) after.at("data.usageSummary.unconvertedRequests")).longValue()).as(after.body()).isZero();
        assertThat(statements.count()).as("the summary counts held events without usage_event").isZero();
        assertThat(held(tenant)).isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM usage_convert_audit a JOIN usage_event e ON e.id = a.usage_event_id WHERE e.event_id = 'nzd-1'"
                + " AND a.billing_cost = 10.801192214 AND a.billing_currency = 'NZD' AND a.fx_rate_date = DATE '2026-11-16' AND a.converted_by = ?", TestApi.ADMIN_EMAIL))
                .isEqualTo(1);

        // The unpriced event, priced now, converts at once (its day has a rate) and is audited by the repricing.
        TestApi.Response price = api.graphql(admin, "mutation($input: RateSetInput!) { rateSet(input: $input) { repricedEventCount userErrors { code } } }",
                Map.of("input", Map.of("provider", "openai", "model", "no-price-yet", "meter", "input_tokens", "unitPrice", "2", "per", 1000,
                        "currencyCode", "USD", "effectiveFrom", "2026-11-01T00:00:00Z")));
        assertThat(price.at("data.rateSet.repricedEventCount")).as(price.body()).isEqualTo(1);
        Map<String, Object> repriced = shown(tenant, "nzd-unpriced");
        assertThat(path(repriced, "originalCost", "amount")).isEqualTo("0.020000000");
        assertThat(path(repriced, "cost", "amount")).isEqualTo(expected(new BigDecimal("0.02"), "1.0823", "1.6789").toPlainString());

        // A replay of the converted batch and another rate later convert nothing twice.
        TestApi.Response replay = send(tenant, gpt4("nzd-1", "2026-11-17T10:00:00Z"));
        assertThat(replay.at("results.0.outcome")).isEqualTo("DUPLICATE");
        assertThat(setRate("NZD", "1.69", "2026-11-19").at("data.fxRateSet.fxRate.rate")).isNotNull();
        assertThat(audits(tenant)).isEqualTo(1);
        assertThat(path(shown(tenant, "nzd-1"), "cost", "amount")).isEqualTo("10.801192214");
    }

    @Test
    void heldUntilTheEcbLoaderStoresARate() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "convert-sek", "UTC", "SEK");
        send(tenant, gpt4("sek-1", "2026-11-18T09:00:00Z"), gpt4("sek-2", "2026-11-18T10:00:00Z"));
        // The same batch again: duplicates, held once.
        TestApi.Response replay = send(tenant, gpt4("sek-1", "2026-11-18T09:00:00Z"), gpt4("sek-2", "2026-11-18T10:00:00Z"));
        assertThat(replay.pluck("results", "outcome")).containsExactly("DUPLICATE", "DUPLICATE");
        assertThat(held(tenant)).isEqualTo(2);
        assertThat(shown(tenant, "sek-1").get("cost")).isNull();
        Map<String, Object> day = Map.of("from", "2026-11-18", "to", "2026-11-18");
        assertThat(((Number) api.graphql(tenant.adminToken(), SUMMARY, day).at("data.usageSummary.unconvertedRequests")).longValue()).isEqualTo(2);
        // Another organization's summary of the same day does not count them.
        Fixtures.Tenant neighbour = Fixtures.tenant(api, "convert-sek-neighbour", "UTC", "USD");
        assertThat(((Number) api.graphql(neighbour.adminToken(), SUMMARY, day).at("data.usageSummary.unconvertedRequests")).longValue()).isZero();

        ecb.stubFor(WireMock.get(urlEqualTo(DAILY)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(
                "<?xml version='1.0' encoding='UTF-8'?>\n<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01'"
                        + " xmlns='http://www.ecb.int/vocabulary/2002-08-01/eurofxref'>\n<gesmes:subject>Reference rates</gesmes:subject>\n"
                        + "<Cube>\n<Cube time='2026-11-18'>\n<Cube currency='USD' rate='1.0790'/>\n<Cube currency='SEK' rate='11.2345'/>\n</Cube>\n</Cube>\n"
                        + "</gesmes:Envelope>\n")));
        loader.loadNow();
        assertThat(held(tenant)).isZero();
        for (String id : List.of("sek-1", "sek-2")) {
            Map<String, Object> event = shown(tenant, id);
            assertThat(path(event, "cost", "amount")).isEqualTo(expected(GPT4_COST, "1.0790", "11.2345").toPlainString()).isEqualTo("72.498133888");
            assertThat(event.get("exchangeRate")).isEqualTo(Map.of("from", "USD", "to", "SEK", "rate", "10.411955514365", "rateDate", "2026-11-18"));
        }
        assertThat(rows.count("SELECT COUNT(*) FROM usage_convert_audit a JOIN usage_event e ON e.id = a.usage_event_id WHERE e.organization_id = ?"
                + " AND a.converted_by = 'ECB'", organizationId(tenant))).isEqualTo(2);
    }

    @Test
    void anEventHeldTwiceIsConvertedOnce() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "convert-twice", "UTC", "CAD");
        send(tenant, gpt4("twice-1", "2026-11-16T08:00:00Z"));
        long eventRowId = ((Number) rows.value("SELECT id FROM usage_event WHERE event_id = 'twice-1'")).longValue();
        // As if another instance held the event again after it was converted (a stale row): the pass must not convert it twice.
        rows.execute("INSERT INTO usage_unconverted (usage_event_id, organization_id, occurred_at, requests, cost, currency)"
                + " SELECT id, organization_id, occurred_at, requests, 1.000000000, 'EUR' FROM usage_event WHERE id = ?", eventRowId);
        assertThat(heldUsage.convertHeld("test")).isZero();
        assertThat(held(tenant)).as("the stale row is released").isZero();
        assertThat(audits(tenant)).isZero();
        assertThat(path(shown(tenant, "twice-1"), "cost", "amount")).isEqualTo("9.618716111");
    }

    @Test
    void aBillingCurrencyChangeConvertsLaterUsageAndLeavesEarlierUsage() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "convert-change", "UTC", "CAD");
        clock.set(Instant.parse("2026-11-22T12:00:00Z"));
        send(tenant, gpt4("change-before", "2026-11-21T10:00:00Z"));
        Organization organization = organizations.findById(organizationId(tenant)).orElseThrow();

        // The past is never rewritten: a change dated before today (UTC) is refused and stores nothing.
        assertThatThrownBy(() -> billingCurrencies.change(organization, "EUR", LocalDate.parse("2026-11-21"))).isInstanceOf(UserInputException.class);
        assertThatThrownBy(() -> billingCurrencies.change(organization, "XAU", LocalDate.parse("2026-11-23"))).isInstanceOf(UserInputException.class);
        assertThatThrownBy(() -> billingCurrencies.change(organization, "cad", LocalDate.parse("2026-11-23"))).isInstanceOf(UserInputException.class);
        assertThat(rows.count("SELECT COUNT(*) FROM organization_billing_currency WHERE organization_id = ?", organization.id())).isZero();

        billingCurrencies.change(organization, "EUR", LocalDate.parse("2026-11-23"));
        clock.set(NOW);
        send(tenant, gpt4("change-after", "2026-11-24T10:00:00Z"), gpt4("change-late-before", "2026-11-22T10:00:00Z"));

        Map<String, Object> before = shown(tenant, "change-before");
        assertThat(path(before, "cost", "currencyCode")).isEqualTo("CAD");
        assertThat(path(before, "cost", "amount")).isEqualTo("9.670791667");
        Map<String, Object> lateBefore = shown(tenant, "change-late-before");
        assertThat(path(lateBefore, "cost", "currencyCode")).as("usage of a day before the change, recorded after it").isEqualTo("CAD");
        Map<String, Object> after = shown(tenant, "change-after");
        assertThat(path(after, "cost", "amount")).isEqualTo(expected(GPT4_COST, "1.08", "1").toPlainString()).isEqualTo("6.447194444");
        assertThat(after.get("exchangeRate")).isEqualTo(Map.of("from", "USD", "to", "EUR", "rate", "0.925925925926", "rateDate", "2026-11-20"));
    }
}
