package io.meterline.platform.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.alert.AlertRequest;
import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.common.ClockFactory;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.StatementCounter;
import io.meterline.platform.support.TestApi;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventPublisher;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The usage monitoring views of seed 003 with known answers: three customers in UTC, Asia/Kolkata
 * (+05:30) and America/New_York, with calls placed just either side of their local month starts.
 */
class AdminViewsIT extends ServerTest {

    private static final String ENABLE = "meterline.test.admin-views-clock";
    private static final String SUMMARY_FIELDS = "customer { name } periodStart periodEnd timeZone cost { amount currencyCode } calls errorCalls"
            + " services { service unit quantity cost { amount currencyCode } originalCost { amount currencyCode } calls errorCalls }";

    @Inject
    ApplicationEventPublisher<AlertRequest> alertRequests;

    @Inject
    UsageRoller roller;

    @Inject
    StatementCounter statements;

    String admin;
    Fixtures.Tenant acme;
    Fixtures.Tenant bombay;
    Fixtures.Tenant zenith;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(ENABLE, "true");
        properties.put(StatementCounter.ENABLE, "true");
        // The views read the rollups: the test rolls up itself, after recording.
        properties.put("meterline.analytics.scheduled-roll", "false");
        // Every page reads the roll's mark itself (none served from an earlier page's read), so statement counts are exact.
        properties.put("meterline.analytics.mark-ttl", "0s");
        return properties;
    }

    /** Now is 2026-11-10 12:00 UTC, 17:30 in Kolkata, 07:00 in New York: November everywhere. */
    @Factory
    @Requires(property = ENABLE)
    static class FixedClockFactory {
        @Singleton
        @Replaces(value = Clock.class, factory = ClockFactory.class)
        Clock clock() {
            return Clock.fixed(Instant.parse("2026-11-10T12:00:00Z"), ZoneOffset.UTC);
        }
    }

    @BeforeAll
    void setUp() {
        admin = api.adminToken();
        acme = Fixtures.tenant(api, "acme", "UTC");
        bombay = Fixtures.tenant(api, "bombay", "Asia/Kolkata");
        zenith = Fixtures.tenant(api, "zenith", "America/New_York");
        // Bombay's quotas, with seed 003's bands, before its usage so the budgets count it.
        assertNoErrors(api.graphql(bombay.adminToken(), "mutation { budgetBandsUpdate(input: {bands: [{name: \"green\", fromPercent: 0}, {name: \"yellow\", fromPercent: 60},"
                + " {name: \"orange\", fromPercent: 80}, {name: \"red\", fromPercent: 90}]}) { userErrors { message } } }"));
        assertNoErrors(api.graphql(bombay.adminToken(), "mutation { budgetCreate(input: {name: \"OpenAI tokens\", metric: TOKENS, provider: \"openai\", period: MONTH,"
                + " limit: \"4000\"}) { budget { id } userErrors { message } } }"));
        assertNoErrors(api.graphql(bombay.adminToken(), "mutation { budgetCreate(input: {name: \"ElevenLabs characters\", metric: METER_UNITS, provider: \"elevenlabs\","
                + " meter: \"characters\", period: MONTH, limit: \"100000\"}) { budget { id } userErrors { message } } }"));

        record(acme, "a1", "2026-11-02T10:00:00Z", "openai", "gpt-4", Map.of("input_tokens", 1000, "output_tokens", 500), "ok");
        record(acme, "a2", "2026-11-03T10:00:00Z", "elevenlabs", "eleven_turbo_v2_5", Map.of("characters", 10000), "ok");
        record(acme, "a3", "2026-11-04T10:00:00Z", "smartflo", "voice", Map.of("minutes", 5), "ok");
        record(acme, "a4", "2026-10-31T23:30:00Z", "images", "dall-e-3", Map.of("images", 3), "ok");
        // 18:30 UTC is midnight in Kolkata: b1 is November there, b2 a minute earlier is October.
        record(bombay, "b1", "2026-10-31T18:30:00Z", "openai", "gpt-4", Map.of("input_tokens", 2000), "ok");
        record(bombay, "b2", "2026-10-31T18:29:00Z", "images", "dall-e-3", Map.of("images", 10), "ok");
        record(bombay, "b3", "2026-11-05T00:00:00Z", "openai", "gpt-4", Map.of("input_tokens", 1000), "rate_limited");
        record(bombay, "b4", "2026-06-15T12:00:00Z", "elevenlabs", "eleven_turbo_v2_5", Map.of("characters", 20000), "ok");
        // 03:00 UTC on November 1st is still October 31st in New York.
        record(zenith, "z1", "2026-11-01T03:00:00Z", "images", "dall-e-3", Map.of("images", 4), "ok");
        record(zenith, "z2", "2026-11-09T12:00:00Z", "images", "dall-e-3", Map.of("images", 100), "ok");
        roller.rollAll();
        alertRequests.publishEvent(new AlertRequest(GlobalId.decode(acme.organizationId()).orElseThrow().id(), "BUDGET_THRESHOLD", "WARNING",
                "budget:1:2026-11:80", "Acme budget", "80 % used", Map.of()));
    }

    private void record(Fixtures.Tenant tenant, String id, String timestamp, String provider, String model, Map<String, Object> meters, String status) {
        Map<String, Object> event = new HashMap<>(Map.of("id", id, "timestamp", timestamp, "provider", provider, "model", model, "meters", meters, "status", status));
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(event))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private static TestApi.Response assertNoErrors(TestApi.Response response) {
        assertThat(response.at("errors")).as(response.body()).isNull();
        assertThat(response.body()).as(response.body()).doesNotContain("\"userErrors\":[{");
        return response;
    }

    private Map<String, Object> query(String token, String query) {
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) assertNoErrors(api.graphql(token, query)).at("data");
        return data;
    }

    @Test
    void overviewAddsUpEveryCustomersOwnLocalMonth() {
        Map<String, Object> data = query(admin, "{ adminOverview { month customers cost { amount currencyCode } originalCost { amount currencyCode } unconvertedCost { amount }"
                + " unconvertedRequests calls errorCalls activeAlerts asOf } }");
        assertThat(TestApi.at(data, "adminOverview.month")).isEqualTo("2026-11-01");
        assertThat(TestApi.at(data, "adminOverview.customers")).isEqualTo(3);
        // acme 0.06 + 0.30 + 0.10, bombay 0.06 + 0.03, zenith 0.01; a4, b2 and z1 are October in their zones.
        // Billed and reported in USD: the reporting figure is the priced one.
        assertThat(TestApi.at(data, "adminOverview.cost")).isEqualTo(Map.of("amount", "0.560000000", "currencyCode", "USD"));
        assertThat(TestApi.at(data, "adminOverview.originalCost")).isEqualTo(List.of(Map.of("amount", "0.560000000", "currencyCode", "USD")));
        assertThat(TestApi.at(data, "adminOverview.unconvertedCost")).isEqualTo(List.of());
        assertThat(TestApi.at(data, "adminOverview.unconvertedRequests")).isEqualTo(0);
        assertThat(TestApi.at(data, "adminOverview.calls")).isEqualTo(6);
        assertThat(TestApi.at(data, "adminOverview.errorCalls")).isEqualTo(1);
        assertThat(TestApi.at(data, "adminOverview.activeAlerts")).isEqualTo(1);
        assertThat(TestApi.at(data, "adminOverview.asOf")).isNotNull();

        Map<String, Object> october = query(admin, "{ adminOverview(month: \"2026-10-20\") { month cost { amount } calls } }");
        assertThat(TestApi.at(october, "adminOverview.month")).isEqualTo("2026-10-01");
        assertThat(TestApi.at(october, "adminOverview.calls")).isEqualTo(3);
        assertThat(TestApi.at(october, "adminOverview.cost.amount")).isEqualTo("0.001700000");
    }

    @Test
    void monthlySummariesGiveEachCustomerItsOwnMonthPerServiceSearchableAndPaged() {
        Map<String, Object> data = query(admin, "{ customerMonthlySummaries(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { " + SUMMARY_FIELDS + " } } }");
        assertThat(TestApi.at(data, "customerMonthlySummaries.totalCount")).isEqualTo(3);
        assertThat(TestApi.at(data, "customerMonthlySummaries.pageInfo.hasNextPage")).isEqualTo(true);
        assertThat(TestApi.at(data, "customerMonthlySummaries.nodes.0.customer.name")).isEqualTo("Org acme");
        assertThat(TestApi.at(data, "customerMonthlySummaries.nodes.0.periodStart")).isEqualTo("2026-11-01");
        assertThat(TestApi.at(data, "customerMonthlySummaries.nodes.0.periodEnd")).isEqualTo("2026-11-30");
        assertThat(TestApi.at(data, "customerMonthlySummaries.nodes.0.cost")).isEqualTo(Map.of("amount", "0.460000000", "currencyCode", "USD"));
        assertThat(TestApi.at(data, "customerMonthlySummaries.nodes.0.calls")).isEqualTo(3);
        assertThat(TestApi.at(data, "customerMonthlySummaries.nodes.0.services")).isEqualTo(List.of(
                service("elevenlabs", "character", "10000.000000000", "0.300000000", 1, 0),
                service("openai", "token", "1500.000000000", "0.060000000", 1, 0),
                service("smartflo", "minute", "5.000000000", "0.100000000", 1, 0)));
        assertThat(TestApi.at(data, "customerMonthlySummaries.nodes.1.customer.name")).isEqualTo("Org bombay");
        assertThat(TestApi.at(data, "customerMonthlySummaries.nodes.1.timeZone")).isEqualTo("Asia/Kolkata");
        assertThat(TestApi.at(data, "customerMonthlySummaries.nodes.1.services")).isEqualTo(List.of(service("openai", "token", "3000.000000000", "0.090000000", 2, 1)));

        String after = (String) TestApi.at(data, "customerMonthlySummaries.pageInfo.endCursor");
        Map<String, Object> next = query(admin, "{ customerMonthlySummaries(first: 2, after: \"" + after + "\") { pageInfo { hasNextPage } nodes { " + SUMMARY_FIELDS + " } } }");
        assertThat(TestApi.at(next, "customerMonthlySummaries.pageInfo.hasNextPage")).isEqualTo(false);
        assertThat(TestApi.at(next, "customerMonthlySummaries.nodes.0.customer.name")).isEqualTo("Org zenith");
        assertThat(TestApi.at(next, "customerMonthlySummaries.nodes.0.services")).isEqualTo(List.of(service("images", "image", "100.000000000", "0.010000000", 1, 0)));

        Map<String, Object> searched = query(admin, "{ customerMonthlySummaries(search: \"BOM\", month: \"2026-10-01\") { totalCount nodes { " + SUMMARY_FIELDS + " } } }");
        assertThat(TestApi.at(searched, "customerMonthlySummaries.totalCount")).isEqualTo(1);
        assertThat(TestApi.at(searched, "customerMonthlySummaries.nodes.0.periodEnd")).isEqualTo("2026-10-31");
        assertThat(TestApi.at(searched, "customerMonthlySummaries.nodes.0.services")).isEqualTo(List.of(service("images", "image", "10.000000000", "0.001000000", 1, 0)));

        TestApi.Response tooMany = api.graphql(admin, "{ customerMonthlySummaries(first: 101) { totalCount } }");
        assertThat(tooMany.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
    }

    private static Map<String, Object> service(String service, String unit, String quantity, String cost, int calls, int errorCalls) {
        return Map.of("service", service, "unit", unit, "quantity", quantity, "cost", Map.of("amount", cost, "currencyCode", "USD"),
                "originalCost", List.of(Map.of("amount", cost, "currencyCode", "USD")), "calls", calls, "errorCalls", errorCalls);
    }

    @Test
    void recentActivityListsTheLatestCallsByTimeFilteredByService() {
        String fields = "{ calls { time customer { name } service model usage { unit quantity } cost { amount currencyCode } originalCost { amount currencyCode } status"
                + " success event { eventId } } asOf }";
        Map<String, Object> latest = query(admin, "{ recentActivity(first: 3) " + fields + " }");
        assertThat(((List<?>) TestApi.at(latest, "recentActivity.calls")).stream().map(call -> TestApi.at(call, "event.eventId")).toList())
                .containsExactly("z2", "b3", "a3");
        Map<String, Object> all = query(admin, "{ recentActivity " + fields + " }");
        assertThat(((List<?>) TestApi.at(all, "recentActivity.calls")).stream().map(call -> TestApi.at(call, "event.eventId")).toList())
                .containsExactly("z2", "b3", "a3", "a2", "a1", "z1", "a4", "b1", "b2", "b4");

        Map<String, Object> openai = query(admin, "{ recentActivity(service: \"openai\") " + fields + " }");
        assertThat(((List<?>) TestApi.at(openai, "recentActivity.calls")).stream().map(call -> TestApi.at(call, "event.eventId")).toList())
                .containsExactly("b3", "a1", "b1");
        assertThat(TestApi.at(openai, "recentActivity.calls.0")).isEqualTo(Map.of("time", "2026-11-05T00:00:00Z", "customer", Map.of("name", "Org bombay"),
                "service", "openai", "model", "gpt-4", "usage", List.of(Map.of("unit", "token", "quantity", "1000")),
                "cost", Map.of("amount", "0.030000000", "currencyCode", "USD"), "originalCost", Map.of("amount", "0.030000000", "currencyCode", "USD"),
                "status", "rate_limited", "success", false, "event", Map.of("eventId", "b3")));
        assertThat(TestApi.at(openai, "recentActivity.calls.1.success")).isEqualTo(true);

        assertThat(api.graphql(admin, "{ recentActivity(service: \"telegraph\") { asOf } }").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(api.graphql(admin, "{ recentActivity(first: 51) { asOf } }").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void serviceBreakdownAndTopCustomersRankTheMonth() {
        Map<String, Object> breakdown = query(admin, "{ serviceBreakdown { month services { service unit quantity cost { amount currencyCode } originalCost { amount currencyCode }"
                + " calls errorCalls } asOf } }");
        assertThat(TestApi.at(breakdown, "serviceBreakdown.services")).isEqualTo(List.of(
                service("elevenlabs", "character", "10000.000000000", "0.300000000", 1, 0),
                service("images", "image", "100.000000000", "0.010000000", 1, 0),
                service("openai", "token", "4500.000000000", "0.150000000", 3, 1),
                service("smartflo", "minute", "5.000000000", "0.100000000", 1, 0)));

        Map<String, Object> top = query(admin, "{ topCustomers { currency customers { customer { name } cost { amount } } } }");
        assertThat(TestApi.at(top, "topCustomers.currency")).isEqualTo("USD");
        assertThat(((List<?>) TestApi.at(top, "topCustomers.customers")).stream().map(customer -> TestApi.at(customer, "customer.name")).toList())
                .containsExactly("Org acme", "Org bombay", "Org zenith");
        Map<String, Object> topTwo = query(admin, "{ topCustomers(first: 2) { customers { customer { name } cost { amount } } } }");
        assertThat(((List<?>) TestApi.at(topTwo, "topCustomers.customers")).stream().map(customer -> TestApi.at(customer, "customer.name")).toList())
                .containsExactly("Org acme", "Org bombay");
        // In October bombay's 10 images outrank zenith's 4 and acme's 3.
        Map<String, Object> october = query(admin, "{ topCustomers(month: \"2026-10-31\") { customers { customer { name } cost { amount } } } }");
        assertThat(((List<?>) TestApi.at(october, "topCustomers.customers")).stream().map(customer -> TestApi.at(customer, "customer.name")).toList())
                .containsExactly("Org bombay", "Org zenith", "Org acme");
        assertThat(TestApi.at(october, "topCustomers.customers.0.cost.amount")).isEqualTo("0.001000000");
        assertThat(api.graphql(admin, "{ topCustomers(first: 0) { currency } }").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void aCustomerSeesItsMonthQuotasWithBandsAndSixZeroFilledMonthsBefore() {
        String fields = "{ customer { name } timeZone currentMonth { periodStart periodEnd cost { amount } calls services { service unit quantity calls } }"
                + " history { periodStart periodEnd calls services { service unit quantity } }"
                + " quotas { service unit budget { name } status { consumed limit percent band } } asOf }";
        Map<String, Object> own = query(bombay.memberToken(), "{ customerView " + fields + " }");
        assertThat(TestApi.at(own, "customerView.customer.name")).isEqualTo("Org bombay");
        assertThat(TestApi.at(own, "customerView.timeZone")).isEqualTo("Asia/Kolkata");
        assertThat(TestApi.at(own, "customerView.currentMonth.periodStart")).isEqualTo("2026-11-01");
        assertThat(TestApi.at(own, "customerView.currentMonth.cost.amount")).isEqualTo("0.090000000");
        assertThat(TestApi.at(own, "customerView.currentMonth.calls")).isEqualTo(2);
        assertThat(TestApi.at(own, "customerView.currentMonth.services")).isEqualTo(List.of(
                Map.of("service", "elevenlabs", "unit", "character", "quantity", "0", "calls", 0),
                Map.of("service", "images", "unit", "image", "quantity", "0", "calls", 0),
                Map.of("service", "openai", "unit", "token", "quantity", "3000.000000000", "calls", 2)));
        List<?> history = (List<?>) TestApi.at(own, "customerView.history");
        assertThat(history.stream().map(month -> TestApi.at(month, "periodStart")).toList())
                .containsExactly("2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01");
        assertThat(TestApi.at(history.get(1), "services.0")).isEqualTo(Map.of("service", "elevenlabs", "unit", "character", "quantity", "20000.000000000"));
        assertThat(TestApi.at(history.get(5), "periodEnd")).isEqualTo("2026-10-31");
        assertThat(TestApi.at(history.get(5), "services.1")).isEqualTo(Map.of("service", "images", "unit", "image", "quantity", "10.000000000"));
        assertThat(TestApi.at(history.get(2), "calls")).isEqualTo(0);
        assertThat(history).allSatisfy(month -> assertThat((List<?>) TestApi.at(month, "services")).hasSize(3));
        // 3,000 of 4,000 tokens is 75 %: yellow in seed 003's bands (60-80).
        assertThat(TestApi.at(own, "customerView.quotas")).isEqualTo(List.of(
                Map.of("service", "openai", "unit", "token", "budget", Map.of("name", "OpenAI tokens"),
                        "status", Map.of("consumed", "3000.000000000", "limit", "4000.000000000", "percent", "75.00", "band", "yellow")),
                Map.of("service", "elevenlabs", "unit", "character", "budget", Map.of("name", "ElevenLabs characters"),
                        "status", Map.of("consumed", "0.000000000", "limit", "100000.000000000", "percent", "0.00", "band", "green"))));

        Map<String, Object> byAdmin = query(admin, "{ customerView(organizationId: \"" + bombay.organizationId() + "\") " + fields + " }");
        assertThat(byAdmin).isEqualTo(Map.of("customerView", withAsOf(own, byAdmin)));
        assertThat(api.graphql(admin, "{ customerView { timeZone } }").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withAsOf(Map<String, Object> view, Map<String, Object> other) {
        Map<String, Object> copy = new HashMap<>((Map<String, Object>) view.get("customerView"));
        copy.put("asOf", TestApi.at(other, "customerView.asOf"));
        return copy;
    }

    @Test
    void organizationUsersAreRefusedAdminViewsAndSeeOnlyTheirOwnCustomerView() {
        for (String token : List.of(acme.adminToken(), acme.memberToken())) {
            for (String query : List.of("{ adminOverview { customers } }", "{ customerMonthlySummaries { totalCount } }", "{ recentActivity { asOf } }",
                    "{ serviceBreakdown { month } }", "{ topCustomers { currency } }")) {
                TestApi.Response response = api.graphql(token, query);
                assertThat(response.at("errors.0.extensions.code")).as(query + ": " + response.body()).isEqualTo("FORBIDDEN");
                assertThat(response.body()).doesNotContain("bombay").doesNotContain("zenith");
            }
            TestApi.Response foreign = api.graphql(token, "{ customerView(organizationId: \"" + bombay.organizationId() + "\") { currentMonth { calls } } }");
            assertThat(foreign.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
            assertThat(foreign.body()).doesNotContain("bombay");
            assertThat(query(token, "{ customerView { customer { name } currentMonth { calls } } }"))
                    .isEqualTo(Map.of("customerView", Map.of("customer", Map.of("name", "Org acme"), "currentMonth", Map.of("calls", 3))));
        }
    }

    /**
     * Every view reads each customer's month from the day rows of the rollup: one statement for all
     * customers in their three zones (and all seven months of a customer view) and one for the roll's
     * mark, whatever the number of customers or events; never the 15-minute aggregates.
     */
    @Test
    void aViewCostsAFewStatementsWhateverTheNumberOfCustomers() {
        String[] tables = {"usage_rollup", "usage_event", "usage_bucket"};
        for (String query : List.of("{ adminOverview { calls } }", "{ customerMonthlySummaries(first: 100) { nodes { calls } } }",
                "{ serviceBreakdown { services { calls } } }", "{ customerView(organizationId: \"" + bombay.organizationId() + "\") { currentMonth { calls } } }")) {
            statements.start(tables);
            query(admin, query);
            assertThat(statements.count()).as(query).isEqualTo(2);
        }
        // The ranking, then the top customers' months.
        statements.start(tables);
        query(admin, "{ topCustomers { customers { calls } } }");
        assertThat(statements.count()).isEqualTo(4);
    }
}
