package io.meterline.platform.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The platform admin's views in the reporting currency, with customers billed in EUR, USD, CAD and NZD (no
 * NZD rate exists, so its usage waits unconverted). Rates (units per euro, from 2026-04-01 on): USD 1.2,
 * CAD 1.5: EUR to USD 1.2, CAD to USD 0.8, all exact.
 */
class AdminReportingCurrencyIT extends ServerTest {

    private static final String MAY = "2026-05-01";

    @Inject
    MutableClock clock;

    @Inject
    UsageRoller roller;

    String admin;
    Fixtures.Tenant maple;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.analytics.scheduled-roll", "false");
        properties.put("meterline.analytics.mark-ttl", "0s");
        return properties;
    }

    @BeforeAll
    void setUp() {
        clock.set(Instant.parse("2026-05-20T12:00:00Z"));
        admin = api.adminToken();
        for (String[] rate : new String[][] {{"USD", "1.2"}, {"CAD", "1.5"}}) {
            TestApi.Response set = api.graphql(admin, "mutation($input: FxRateSetInput!) { fxRateSet(input: $input) { userErrors { code } } }",
                    Map.of("input", Map.of("currency", rate[0], "rate", rate[1], "date", "2026-04-01")));
            assertThat(set.at("data.fxRateSet.userErrors")).as(set.body()).isEqualTo(List.of());
        }
        // By euros alone euro-heavy leads; by dollars alone dollar-heavy; in USD maple (16.00) beats dollar-heavy (15.00) and euro-heavy (12.00).
        Fixtures.Tenant euroHeavy = Fixtures.tenant(api, "euro-heavy", "UTC", "EUR");
        record(euroHeavy, "e1", "flat-token", "any", Map.of("tokens", 500_000));               // 10.00 EUR
        Fixtures.Tenant dollarHeavy = Fixtures.tenant(api, "dollar-heavy", "UTC", "USD");
        record(dollarHeavy, "d1", "openai", "gpt-4o", Map.of("input_tokens", 6_000_000));     // 15.00 USD
        maple = Fixtures.tenant(api, "maple", "America/Toronto", "CAD");
        record(maple, "m1", "flat-token", "any", Map.of("tokens", 250_000));                   // 5.00 EUR = 7.50 CAD
        record(maple, "m2", "openai", "gpt-4o", Map.of("input_tokens", 4_000_000));           // 10.00 USD = 12.50 CAD
        Fixtures.Tenant kiwi = Fixtures.tenant(api, "kiwi", "UTC", "NZD");
        record(kiwi, "k1", "openai", "gpt-4o", Map.of("input_tokens", 1_000_000));            // 2.50 USD, held: no NZD rate
        roller.rollAll();
    }

    private void record(Fixtures.Tenant tenant, String id, String provider, String model, Map<String, Object> meters) {
        Map<String, Object> event = Map.of("id", id, "timestamp", "2026-05-10T12:00:00Z", "provider", provider, "model", model, "meters", meters);
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(event))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private static Map<String, Object> query(TestApi api, String token, String query) {
        TestApi.Response response = api.graphql(token, query);
        assertThat(response.at("errors")).as(response.body()).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) response.at("data");
        return data;
    }

    private static Map<String, Object> money(String amount, String currency) {
        return Map.of("amount", amount, "currencyCode", currency);
    }

    private static List<Object> names(Map<String, Object> data, String path) {
        return ((List<?>) TestApi.at(data, path)).stream().map(row -> TestApi.at(row, "customer.name")).toList();
    }

    @Test
    void topCustomersRankByTheUsdFigureNotByOneOriginalCurrency() {
        Map<String, Object> top = query(api, admin, "{ topCustomers(month: \"" + MAY + "\") { currency customers { customer { name } cost { amount currencyCode }"
                + " originalCost { amount currencyCode } unconvertedCost { amount } unconvertedRequests } } }");
        assertThat(TestApi.at(top, "topCustomers.currency")).isEqualTo("USD");
        // kiwi's usage is priced but waits for an NZD rate: listed last with its dollars and the call counted, never as a plain 0.
        assertThat(names(top, "topCustomers.customers")).containsExactly("Org maple", "Org dollar-heavy", "Org euro-heavy", "Org kiwi");
        assertThat(TestApi.at(top, "topCustomers.customers.0.cost")).isEqualTo(money("16.000000000", "USD"));
        assertThat(TestApi.at(top, "topCustomers.customers.0.originalCost")).isEqualTo(List.of(money("5.000000000", "EUR"), money("10.000000000", "USD")));
        assertThat(TestApi.at(top, "topCustomers.customers.1.cost")).isEqualTo(money("15.000000000", "USD"));
        assertThat(TestApi.at(top, "topCustomers.customers.2.cost")).isEqualTo(money("12.000000000", "USD"));
        assertThat(TestApi.at(top, "topCustomers.customers.3.cost")).isEqualTo(money("0.000000000", "USD"));
        assertThat(TestApi.at(top, "topCustomers.customers.3.originalCost")).isEqualTo(List.of(money("2.500000000", "USD")));
        assertThat(TestApi.at(top, "topCustomers.customers.3.unconvertedRequests")).isEqualTo(1);

        Map<String, Object> overview = query(api, admin, "{ adminOverview(month: \"" + MAY + "\") { cost { amount currencyCode } originalCost { amount currencyCode }"
                + " unconvertedCost { amount } unconvertedRequests } }");
        assertThat(TestApi.at(overview, "adminOverview.cost")).isEqualTo(money("43.000000000", "USD"));
        assertThat(TestApi.at(overview, "adminOverview.originalCost")).isEqualTo(List.of(money("15.000000000", "EUR"), money("27.500000000", "USD")));
        assertThat(TestApi.at(overview, "adminOverview.unconvertedRequests")).isEqualTo(1);

        Map<String, Object> services = query(api, admin, "{ serviceBreakdown(month: \"" + MAY + "\") { services { service cost { amount currencyCode } } } }");
        // flat-token: 10.00 + 5.00 EUR = 18.00 USD; openai: 15.00 + 10.00 USD (kiwi's 2.50 waits).
        assertThat(TestApi.at(services, "serviceBreakdown.services")).isEqualTo(List.of(
                Map.of("service", "flat-token", "cost", money("18.000000000", "USD")), Map.of("service", "openai", "cost", money("25.000000000", "USD"))));

        Map<String, Object> summaries = query(api, admin, "{ customerMonthlySummaries(search: \"maple\", month: \"" + MAY + "\") { nodes { cost { amount currencyCode }"
                + " services { service cost { amount currencyCode } } } } }");
        assertThat(TestApi.at(summaries, "customerMonthlySummaries.nodes.0.cost")).isEqualTo(money("16.000000000", "USD"));
        assertThat(TestApi.at(summaries, "customerMonthlySummaries.nodes.0.services.0.cost")).isEqualTo(money("6.000000000", "USD"));
    }

    @Test
    void aCustomerSeesItsOwnViewInItsBillingCurrencyAndNoAdminView() {
        Map<String, Object> own = query(api, maple.memberToken(), "{ customerView { currentMonth { cost { amount currencyCode } } } }");
        assertThat(TestApi.at(own, "customerView.currentMonth.cost")).isEqualTo(money("20.000000000", "CAD"));
        for (String token : List.of(maple.adminToken(), maple.memberToken())) {
            for (String query : List.of("{ adminOverview { cost { amount } } }", "{ topCustomers { currency customers { customer { name } } } }",
                    "{ customerMonthlySummaries { nodes { cost { amount } } } }", "{ serviceBreakdown { month } }")) {
                TestApi.Response response = api.graphql(token, query);
                assertThat(response.at("errors.0.extensions.code")).as(query + ": " + response.body()).isEqualTo("FORBIDDEN");
                assertThat(response.body()).doesNotContain("euro-heavy").doesNotContain("dollar-heavy").doesNotContain("kiwi");
            }
        }
    }

    /** Another deployment reporting in euros (same database): the same month, every customer converted into EUR. */
    @Test
    void theReportingCurrencyIsASetting() {
        try (EmbeddedServer euros = startSecondInstance(Map.of("meterline.reporting-currency", "EUR"))) {
            TestApi other = new TestApi(euros.getURI(), jsonMapper);
            Map<String, Object> top = query(other, other.adminToken(), "{ topCustomers(month: \"" + MAY + "\") { currency customers { customer { name }"
                    + " cost { amount currencyCode } } } adminOverview(month: \"" + MAY + "\") { cost { currencyCode } } }");
            assertThat(TestApi.at(top, "topCustomers.currency")).isEqualTo("EUR");
            assertThat(TestApi.at(top, "adminOverview.cost.currencyCode")).isEqualTo("EUR");
            assertThat(names(top, "topCustomers.customers")).containsExactly("Org maple", "Org dollar-heavy", "Org euro-heavy", "Org kiwi");
            assertThat(TestApi.at(top, "topCustomers.customers.2.cost")).isEqualTo(money("10.000000000", "EUR"));
        }
        // Not an ISO 4217 code in capitals: the server does not start.
        for (String bad : List.of("usd", "US", "XYZ", "XAU")) {
            assertThatThrownBy(() -> startSecondInstance(Map.of("meterline.reporting-currency", bad)).close()).as(bad)
                    .satisfies(failure -> assertThat(rootCause(failure).getMessage()).contains("meterline.reporting-currency"));
        }
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable current = failure;
        while (current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
