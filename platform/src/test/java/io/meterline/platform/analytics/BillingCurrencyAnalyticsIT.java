package io.meterline.platform.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meterline.platform.account.BillingCurrencyHistory;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.StatementCounter;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.time.DayRange;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Analytics in the organization's billing currency, through the public API on the real database: a CAD organization
 * with USD and EUR usage (Northwind's case) gets one CAD figure, exact to the billionth, in usageSummary, usageSeries,
 * usageBreakdown (costShare adding up to 100, ranked by the CAD figure where USD alone or the currencies added ranks
 * the other way), usageTotals, sessions and events with their lines, beside the original amounts; usage still waiting
 * for an exchange rate is counted, never shown as 0; a range across a billing-currency change reports in the current
 * currency; and the rollups refold usage rolled up while unconverted exactly once when its rates arrive.
 *
 * <p>Days and rates (units per euro, set with fxRateSet): 2023-03-06 USD 1.0650, CAD 1.4500; 2023-03-07 USD 1.0600,
 * CAD 1.4600; 2023-02-06 USD 1.0720, CHF 0.9900 (the refold test). The bundled rates start on 2024-11-20, so nothing
 * else covers these days; usage of 2023-03-03 has no CAD rate at all (held as unconverted).
 */
class BillingCurrencyAnalyticsIT extends ServerTest {

    private static final String SET_RATE = "mutation($input: FxRateSetInput!) { fxRateSet(input: $input) { fxRate { rate } userErrors { field code } } }";
    private static final String MONEY = "{ amount currencyCode }";
    private static final String MEASURES = "{ requests unconvertedRequests cost " + MONEY + " originalCost " + MONEY + " }";
    private static final String RANGE = "range: {from: \"2023-03-03\", to: \"2023-03-07\"}";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    MutableClock clock;

    @Inject
    UsageRoller roller;

    @Inject
    AnalyticsService analytics;

    @Inject
    UsageSessions sessions;

    @Inject
    StatementCounter statements;

    @Inject
    BillingCurrencyHistory billingCurrencies;

    @Inject
    OrganizationRepository organizations;

    Rows rows;
    Fixtures.Tenant northwind;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put(StatementCounter.ENABLE, "true");
        properties.put("meterline.analytics.scheduled-roll", "false");
        properties.put("meterline.analytics.mark-ttl", "0s");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        clock.set(Instant.parse("2023-03-07T20:00:00Z"));
        setRate("USD", "1.0650", "2023-03-06");
        setRate("CAD", "1.4500", "2023-03-06");
        setRate("USD", "1.0600", "2023-03-07");
        setRate("CAD", "1.4600", "2023-03-07");
        northwind = Fixtures.tenant(api, "northwind-cad", "America/Toronto", "CAD");
        // team search: 6 + 1.20 USD (+ 0.30 USD held); team sales: 3 + 4 EUR. Added as numbers search leads (7.50 > 7), and USD
        // alone ranks it first; in CAD sales leads (10.19 > 9.821844274).
        send(northwind,
                gpt4("e1", "2023-03-06T15:00:00Z", 100000, 50000, "search", "chat-1"),
                flat("e2", "2023-03-06T16:00:00Z", 150000, "sales"),
                gpt4("e3", "2023-03-07T15:00:00Z", 40000, 0, "search", "chat-1"),
                flat("e4", "2023-03-07T16:00:00Z", 200000, "sales"),
                gpt4("e5", "2023-03-03T15:00:00Z", 10000, 0, "search", null));
        roller.rollAll();
    }

    private void setRate(String currency, String rate, String date) {
        TestApi.Response response = api.graphql(api.adminToken(), SET_RATE, Map.of("input", Map.of("currency", currency, "rate", rate, "date", date)));
        assertThat(response.at("data.fxRateSet.fxRate.rate")).as(response.body()).isNotNull();
    }

    /** gpt-4: input tokens at 0.03 USD and output tokens at 0.06 USD per thousand. */
    private static Map<String, Object> gpt4(String id, String timestamp, int input, int output, String team, String session) {
        Map<String, Object> dimensions = new HashMap<>(Map.of("team", team));
        if (session != null) {
            dimensions.put("session", session);
        }
        return Map.of("id", id, "timestamp", timestamp, "provider", "openai", "model", "gpt-4",
                "meters", output == 0 ? Map.of("input_tokens", input) : Map.of("input_tokens", input, "output_tokens", output), "dimensions", dimensions);
    }

    /** flat-token: every token at 0.00002 EUR. */
    private static Map<String, Object> flat(String id, String timestamp, int tokens, String team) {
        return Map.of("id", id, "timestamp", timestamp, "provider", "flat-token", "model", "any", "meters", Map.of("tokens", tokens),
                "dimensions", Map.of("team", team));
    }

    private void send(Fixtures.Tenant tenant, Object... events) {
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(events))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private TestApi.Response query(Fixtures.Tenant tenant, String query) {
        TestApi.Response response = api.graphql(tenant.adminToken(), query);
        assertThat(response.at("errors")).as(response.body()).isNull();
        return response;
    }

    private static Map<String, Object> money(String amount, String currency) {
        return Map.of("amount", amount, "currencyCode", currency);
    }

    private long organizationId(Fixtures.Tenant tenant) {
        return ((Number) rows.value("SELECT id FROM organization WHERE slug = ?", tenant.slug())).longValue();
    }

    @Test
    void summaryIsOneCadFigureExactToTheBillionthBesideTheOriginalAmounts() {
        TestApi.Response summary = query(northwind, "{ usageSummary(" + RANGE + ") { requests unconvertedRequests cost " + MONEY + " originalCost " + MONEY
                + " estimatedCost " + MONEY + " originalEstimatedCost " + MONEY + " byProvider { provider cost " + MONEY + " originalCost " + MONEY + " } } }");
        // 6 x 1.45 / 1.065 (1.361502347418) = 8.169014085; 3 x 1.45 = 4.35; 1.20 x 1.46 / 1.06 (1.377358490566) = 1.652830189; 4 x 1.46 = 5.84.
        assertThat(summary.at("data.usageSummary.cost")).isEqualTo(money("20.011844274", "CAD"));
        assertThat(summary.at("data.usageSummary.originalCost")).isEqualTo(List.of(money("7.000000000", "EUR"), money("7.500000000", "USD")));
        assertThat(summary.at("data.usageSummary.requests")).isEqualTo(5);
        assertThat(summary.at("data.usageSummary.unconvertedRequests")).as("the 0.30 USD of 2023-03-03 waits for a CAD rate").isEqualTo(1);
        assertThat(summary.at("data.usageSummary.estimatedCost")).as("nothing unpriced to estimate").isEqualTo(money("20.011844274", "CAD"));
        assertThat(summary.at("data.usageSummary.originalEstimatedCost")).isEqualTo(summary.at("data.usageSummary.originalCost"));
        assertThat(summary.at("data.usageSummary.byProvider")).isEqualTo(List.of(
                Map.of("provider", "flat-token", "cost", money("10.190000000", "CAD"), "originalCost", List.of(money("7.000000000", "EUR"))),
                Map.of("provider", "openai", "cost", money("9.821844274", "CAD"), "originalCost", List.of(money("7.500000000", "USD")))));
    }

    @Test
    void seriesBucketsAndTotalsAreInCadAndHeldUsageIsCountedNotZeroed() {
        TestApi.Response series = query(northwind, "{ usageSeries(" + RANGE + ", granularity: DAY) { buckets { date totals " + MEASURES + " }"
                + " totals " + MEASURES + " } }");
        List<?> buckets = (List<?>) series.at("data.usageSeries.buckets");
        assertThat(buckets).hasSize(5);
        assertThat(TestApi.at(buckets.get(0), "totals")).as("2023-03-03: held, counted, its USD amount shown, no CAD yet").isEqualTo(Map.of(
                "requests", 1, "unconvertedRequests", 1, "cost", money("0.000000000", "CAD"), "originalCost", List.of(money("0.300000000", "USD"))));
        assertThat(TestApi.at(buckets.get(1), "totals.cost")).isEqualTo(money("0.000000000", "CAD"));
        assertThat(TestApi.at(buckets.get(3), "totals.cost")).isEqualTo(money("12.519014085", "CAD"));
        assertThat(TestApi.at(buckets.get(4), "totals.cost")).isEqualTo(money("7.492830189", "CAD"));
        assertThat(series.at("data.usageSeries.totals")).isEqualTo(Map.of("requests", 5, "unconvertedRequests", 1, "cost", money("20.011844274", "CAD"),
                "originalCost", List.of(money("7.000000000", "EUR"), money("7.500000000", "USD"))));
    }

    @Test
    void breakdownRanksByTheCadFigureAndItsCostSharesAddUpTo100() {
        String groups = "groups { key costShare totals " + MEASURES + " }";
        TestApi.Response byCost = query(northwind, "{ usageBreakdown(" + RANGE + ", by: TEAM) { " + groups + " totals " + MEASURES + " } }");
        List<?> ranked = (List<?>) byCost.at("data.usageBreakdown.groups");
        assertThat(ranked).extracting(group -> TestApi.at(group, "key")).as("sales' 7 EUR are 10.19 CAD, search's 7.50 USD 9.82").containsExactly("sales", "search");
        assertThat(TestApi.at(ranked.get(0), "totals.cost")).isEqualTo(money("10.190000000", "CAD"));
        assertThat(TestApi.at(ranked.get(1), "totals.cost")).isEqualTo(money("9.821844274", "CAD"));
        assertThat(TestApi.at(ranked.get(1), "totals.originalCost")).isEqualTo(List.of(money("7.500000000", "USD")));
        assertThat(TestApi.at(ranked.get(1), "totals.unconvertedRequests")).isEqualTo(1);
        // 10.19 / 20.011844274 and 9.821844274 / 20.011844274, in percent.
        double sales = ((Number) TestApi.at(ranked.get(0), "costShare")).doubleValue();
        double search = ((Number) TestApi.at(ranked.get(1), "costShare")).doubleValue();
        assertThat(sales).isEqualTo(50.9198);
        assertThat(search).isEqualTo(49.0802);
        assertThat(sales + search).isCloseTo(100, within(1e-9));
        // Ranked by one original currency (USD: 7.50 against none), or by every currency added as one number (7.50 against 7), search would lead.
        assertThat(TestApi.at(ranked.get(0), "totals.originalCost")).isEqualTo(List.of(money("7.000000000", "EUR")));
        TestApi.Response byTokens = query(northwind, "{ usageBreakdown(" + RANGE + ", by: TEAM, orderBy: TOKENS) { groups { key } } }");
        assertThat(byTokens.pluck("data.usageBreakdown.groups", "key")).as("350,000 flat tokens against 200,000").containsExactly("sales", "search");
    }

    @Test
    void totalsAveragesAndSessionsAreInCad() {
        TestApi.Response totals = query(northwind, "{ usageTotals { lifetime " + MEASURES + " thisMonth { cost " + MONEY + " } dailyAverageCostThisMonth "
                + MONEY + " averageCostPerRequest " + MONEY + " } }");
        assertThat(totals.at("data.usageTotals.lifetime.cost")).isEqualTo(money("20.011844274", "CAD"));
        assertThat(totals.at("data.usageTotals.thisMonth.cost")).isEqualTo(money("20.011844274", "CAD"));
        // 20.011844274 over the 7 days of March so far; over the 4 converted calls (the held one is not in the figure).
        assertThat(totals.at("data.usageTotals.dailyAverageCostThisMonth")).isEqualTo(money("2.858834896", "CAD"));
        assertThat(totals.at("data.usageTotals.averageCostPerRequest")).isEqualTo(money("5.002961068", "CAD"));

        TestApi.Response session = query(northwind, "{ usageSession(key: \"chat-1\") { totals " + MEASURES + " } usageSessions(" + RANGE
                + ") { nodes { key totals { cost " + MONEY + " } } } }");
        assertThat(session.at("data.usageSession.totals.cost")).isEqualTo(money("9.821844274", "CAD"));
        assertThat(session.at("data.usageSession.totals.originalCost")).isEqualTo(List.of(money("7.200000000", "USD")));
        assertThat(session.at("data.usageSessions.nodes.0.totals.cost")).isEqualTo(money("9.821844274", "CAD"));
    }

    @Test
    void eventsAndTheirLinesShowTheCadFigureBesideTheOriginal() {
        TestApi.Response events = query(northwind, "{ usageEvents(first: 10) { nodes { eventId cost " + MONEY + " originalCost " + MONEY
                + " exchangeRate { rate } lines { meter amount " + MONEY + " cost " + MONEY + " } } } }");
        Map<?, ?> e1 = ((List<?>) events.at("data.usageEvents.nodes")).stream().map(node -> (Map<?, ?>) node)
                .filter(node -> "e1".equals(node.get("eventId"))).findFirst().orElseThrow();
        assertThat(e1.get("cost")).isEqualTo(money("8.169014085", "CAD"));
        assertThat(e1.get("originalCost")).isEqualTo(money("6.000000000", "USD"));
        // Each line: 3 USD x 1.361502347418 = 4.084507042 CAD, rounded once per line.
        assertThat(e1.get("lines")).isEqualTo(List.of(
                Map.of("meter", "input_tokens", "amount", money("3.000000000", "USD"), "cost", money("4.084507042", "CAD")),
                Map.of("meter", "output_tokens", "amount", money("3.000000000", "USD"), "cost", money("4.084507042", "CAD"))));
        Map<?, ?> held = ((List<?>) events.at("data.usageEvents.nodes")).stream().map(node -> (Map<?, ?>) node)
                .filter(node -> "e5".equals(node.get("eventId"))).findFirst().orElseThrow();
        assertThat(held.get("cost")).as("unconverted: null, never 0").isNull();
        assertThat(held.get("originalCost")).isEqualTo(money("0.300000000", "USD"));
        assertThat(TestApi.at(held, "lines.0.cost")).isNull();
    }

    @Test
    void dashboardReadsNoEventAndOneBillingCurrencyStatementPerQuery() {
        statements.start("usage_event ");
        query(northwind, "{ usageSeries(" + RANGE + ") { totals { cost " + MONEY + " } } usageBreakdown(" + RANGE + ", by: MODEL) { groups { key } }"
                + " usageTotals { lifetime { cost " + MONEY + " } } usageSummary(" + RANGE + ") { cost " + MONEY + " } }");
        assertThat(statements.count()).as("rollups and aggregates only").isZero();
        statements.start("organization_billing_currency");
        query(northwind, "{ usageSeries(" + RANGE + ") { totals { cost " + MONEY + " } } usageBreakdown(" + RANGE + ", by: MODEL) { groups { key } } }");
        assertThat(statements.count()).isEqualTo(2);
    }

    @Test
    void anotherOrganizationSeesNoneOfIt() {
        Fixtures.Tenant neighbour = Fixtures.tenant(api, "northwind-neighbour", "UTC", "CAD");
        TestApi.Response own = query(neighbour, "{ usageSummary(" + RANGE + ") { cost " + MONEY + " unconvertedRequests } usageSeries(" + RANGE + ") { totals "
                + MEASURES + " } }");
        assertThat(own.at("data.usageSummary.cost")).isEqualTo(money("0.000000000", "CAD"));
        assertThat(own.at("data.usageSummary.unconvertedRequests")).isEqualTo(0);
        assertThat(own.at("data.usageSeries.totals.requests")).isEqualTo(0);
        TestApi.Response foreign = api.graphql(neighbour.adminToken(), "query($org: ID) { usageSeries(organizationId: $org, " + RANGE + ") { totals { cost "
                + MONEY + " } } }", Map.of("org", northwind.organizationId()));
        assertThat(foreign.at("data")).as(foreign.body()).isNull();
        assertThat(foreign.codes("errors")).isNotEmpty();
    }

    @Test
    void aRangeAcrossABillingCurrencyChangeReportsInTheCurrentCurrency() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "northwind-change", "UTC", "CAD");
        send(tenant, gpt4("c1", "2023-03-06T15:00:00Z", 100000, 50000, "search", null));
        billingCurrencies.change(organizations.findById(organizationId(tenant)).orElseThrow(), "EUR", LocalDate.parse("2023-03-07"));
        send(tenant, flat("c2", "2023-03-07T15:00:00Z", 100000, "sales"));
        roller.rollAll();
        // c1 stays 8.169014085 CAD; c2 is billed 2 EUR. Reported in EUR, today's billing currency: the CAD part at the range's last
        // day's rate, 8.169014085 x (1 / 1.46 = 0.684931506849) = 5.595215127 EUR.
        TestApi.Response answer = query(tenant, "{ usageSummary(range: {from: \"2023-03-06\", to: \"2023-03-07\"}) { cost " + MONEY + " }"
                + " usageSeries(range: {from: \"2023-03-06\", to: \"2023-03-07\"}) { buckets { totals { cost " + MONEY + " } } totals { cost " + MONEY + " } }"
                + " usageEvents(first: 5) { nodes { eventId cost " + MONEY + " } } }");
        assertThat(answer.at("data.usageSummary.cost")).isEqualTo(money("7.595215127", "EUR"));
        assertThat(answer.at("data.usageSeries.totals.cost")).isEqualTo(money("7.595215127", "EUR"));
        assertThat(answer.at("data.usageSeries.buckets.0.totals.cost")).isEqualTo(money("5.595215127", "EUR"));
        assertThat(answer.at("data.usageSeries.buckets.1.totals.cost")).isEqualTo(money("2.000000000", "EUR"));
        assertThat(answer.pluck("data.usageEvents.nodes", "cost")).as("the events keep their own figures")
                .containsExactly(money("2.000000000", "EUR"), money("8.169014085", "CAD"));
    }

    @Test
    void usageRolledUpWhileUnconvertedIsRefoldedOnceWhenItsRatesArrive() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "rollup-chf", "Europe/Zurich", "CHF");
        long organizationId = organizationId(tenant);
        LocalDate day = LocalDate.parse("2023-02-06");
        // 6 USD and 2 EUR, with no USD or CHF rate on or before their day yet.
        send(tenant, gpt4("usd", "2023-02-06T15:00:00Z", 100000, 50000, "search", "chat-1"), flat("eur", "2023-02-06T16:00:00Z", 100000, "sales"));
        roller.rollAll();
        Totals held = total(organizationId, day);
        assertThat(held.requests()).isEqualTo(2);
        assertThat(held.unconvertedRequests()).isEqualTo(2);
        assertThat(held.billingCost()).isEmpty();

        // CHF's rate converts the EUR event (EUR is the base); the USD one waits for USD's.
        setRate("CHF", "0.9900", day.toString());
        Totals half = total(organizationId, day);
        assertThat(half.unconvertedRequests()).isEqualTo(1);
        assertThat(half.billingCost()).containsOnly(Map.entry("CHF", new BigDecimal("1.980000000")));

        // 6 x 0.99 / 1.072 (0.923507462687) = 5.541044776 CHF.
        setRate("USD", "1.0720", day.toString());
        roller.rollAll();
        Totals converted = total(organizationId, day);
        assertThat(converted.requests()).isEqualTo(2);
        assertThat(converted.unconvertedRequests()).isZero();
        assertThat(converted.billingCost()).containsOnly(Map.entry("CHF", new BigDecimal("7.521044776")));
        assertThat(converted.cost()).containsOnly(Map.entry("EUR", new BigDecimal("2.000000000")), Map.entry("USD", new BigDecimal("6.000000000")));
        assertThat(analytics.lifetime(organizationId).billingCost()).containsOnly(Map.entry("CHF", new BigDecimal("7.521044776")));
        assertThat(sessions.session(organizationId, "chat-1").orElseThrow().totals().billingCost()).containsOnly(Map.entry("CHF", new BigDecimal("5.541044776")));
        // Every grain kept the same sum, nothing is left in the unconverted rows, and the 15-minute aggregates agree.
        for (String grain : List.of("D", "H", "Q")) {
            assertThat(new BigDecimal(String.valueOf(rows.value("SELECT SUM(billing_cost) FROM usage_rollup WHERE organization_id = ? AND dimension = 'ALL'"
                    + " AND grain = ? AND billing_currency = 'CHF'", organizationId, grain)))).as(grain).isEqualByComparingTo("7.521044776");
            assertThat(rows.count("SELECT SUM(requests) FROM usage_rollup WHERE organization_id = ? AND dimension = 'ALL' AND grain = ?"
                    + " AND billing_currency = ''", organizationId, grain)).as(grain).isZero();
        }
        assertThat(new BigDecimal(String.valueOf(rows.value("SELECT SUM(billing_cost) FROM usage_bucket WHERE organization_id = ? AND billing_currency = 'CHF'",
                organizationId)))).isEqualByComparingTo("7.521044776");
        assertThat(rows.count("SELECT SUM(requests) FROM usage_bucket WHERE organization_id = ?", organizationId)).isEqualTo(2);
        TestApi.Response summary = query(tenant, "{ usageSummary(range: {from: \"2023-02-06\", to: \"2023-02-06\"}) { cost " + MONEY + " unconvertedRequests } }");
        assertThat(summary.at("data.usageSummary.cost")).isEqualTo(money("7.521044776", "CHF"));
        assertThat(summary.at("data.usageSummary.unconvertedRequests")).isEqualTo(0);
    }

    private Totals total(long organizationId, LocalDate day) {
        return analytics.breakdown(organizationId, new DayRange(day, day, ZoneId.of("Europe/Zurich")), Dimension.ALL).totals();
    }
}
