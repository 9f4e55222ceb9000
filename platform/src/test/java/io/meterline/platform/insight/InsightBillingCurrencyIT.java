package io.meterline.platform.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meterline.platform.account.BillingCurrencyHistory;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Insights of organizations billed in CAD whose usage is priced in USD (openai) and EUR (flat-token), with
 * exact figures. Rates (units per euro, from 2026-04-01 on): USD 1.2, CAD 1.5, so USD to CAD is 1.25 and
 * EUR to CAD 1.5, both exact.
 */
class InsightBillingCurrencyIT extends ServerTest {

    /** Midnight after May 15th: fifteen whole days of May have passed. */
    private static final Instant NOW = Instant.parse("2026-05-16T00:00:00Z");

    @Inject
    MutableClock clock;

    @Inject
    UsageRoller roller;

    @Inject
    BillingCurrencyHistory billingCurrencies;

    @Inject
    OrganizationRepository organizations;

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
        clock.set(NOW);
        String admin = api.adminToken();
        for (String[] rate : new String[][] {{"USD", "1.2"}, {"CAD", "1.5"}}) {
            TestApi.Response set = api.graphql(admin, "mutation($input: FxRateSetInput!) { fxRateSet(input: $input) { userErrors { code } } }",
                    Map.of("input", Map.of("currency", rate[0], "rate", rate[1], "date", "2026-04-01")));
            assertThat(set.at("data.fxRateSet.userErrors")).as(set.body()).isEqualTo(List.of());
        }
        maple = Fixtures.tenant(api, "maple-insight", "UTC", "CAD");
        record(maple, fifteenDaysOfMay("m"));
    }

    /**
     * May 1st to 15th, each day 1,000,000 gpt-4o input tokens (2.50 USD = 3.125 CAD) and 100,000 flat tokens
     * (2.00 EUR = 3.00 CAD): 6.125 CAD a day.
     */
    private static List<Map<String, Object>> fifteenDaysOfMay(String prefix) {
        List<Map<String, Object>> events = new ArrayList<>();
        for (int day = 1; day <= 15; day++) {
            String at = String.format("2026-05-%02dT10:00:00Z", day);
            events.add(Map.of("id", prefix + "-usd-" + day, "timestamp", at, "provider", "openai", "model", "gpt-4o", "meters", Map.of("input_tokens", 1_000_000)));
            events.add(Map.of("id", prefix + "-eur-" + day, "timestamp", at, "provider", "flat-token", "model", "any", "meters", Map.of("tokens", 100_000)));
        }
        return events;
    }

    private void record(Fixtures.Tenant tenant, List<Map<String, Object>> events) {
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", events)));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        roller.rollAll();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> data(String query, String path) {
        TestApi.Response response = api.graphql(maple.memberToken(), query);
        assertThat(response.at("errors")).as(response.body()).isNull();
        return (Map<String, Object>) response.at(path);
    }

    private static Map<String, Object> money(String amount, String currency) {
        return Map.of("amount", amount, "currencyCode", currency);
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    @Test
    void theProjectionIsOneFigureInCadBesideTheDollarsAndEuros() {
        Map<String, Object> projection = data("{ usageProjection(timeZone: \"UTC\") { daysElapsed daysInMonth"
                + " monthToDateCost { amount currencyCode } monthToDateOriginalCost { amount currencyCode }"
                + " dailyAverageCost { amount currencyCode } dailyAverageOriginalCost { amount currencyCode }"
                + " projectedMonthCost { amount currencyCode } projectedMonthOriginalCost { amount currencyCode } unconvertedRequests } }", "data.usageProjection");
        assertThat(number(projection.get("daysElapsed"))).isEqualTo(15.0);
        // 15 x 6.125 CAD; a day's average; 31 such days.
        assertThat(projection.get("monthToDateCost")).isEqualTo(money("91.875000000", "CAD"));
        assertThat(projection.get("monthToDateOriginalCost")).isEqualTo(List.of(money("30.000000000", "EUR"), money("37.500000000", "USD")));
        assertThat(projection.get("dailyAverageCost")).isEqualTo(money("6.125000000", "CAD"));
        assertThat(projection.get("dailyAverageOriginalCost")).isEqualTo(List.of(money("2.000000000", "EUR"), money("2.500000000", "USD")));
        assertThat(projection.get("projectedMonthCost")).isEqualTo(money("189.875000000", "CAD"));
        assertThat(projection.get("projectedMonthOriginalCost")).isEqualTo(List.of(money("62.000000000", "EUR"), money("77.500000000", "USD")));
        assertThat(projection.get("unconvertedRequests")).isEqualTo(0);
    }

    @Test
    void aCostForecastIsInCadUnlessAPricedCurrencyIsAskedFor() {
        String query = "{ usageForecast(days: 7, metric: COST%s) { currencyCode historyDaysUsed days { likely } totals { likely conservative } } }";
        Map<String, Object> cad = data(String.format(query, ""), "data.usageForecast");
        assertThat(cad.get("currencyCode")).isEqualTo("CAD");
        assertThat(cad.get("historyDaysUsed")).isEqualTo(15);
        // Fifteen equal days: every weekday factor is 1, no trend, no spread.
        assertThat((List<?>) cad.get("days")).allSatisfy(day -> assertThat(number(((Map<?, ?>) day).get("likely"))).isCloseTo(6.125, within(1e-9)));
        assertThat(number(((Map<?, ?>) cad.get("totals")).get("likely"))).isCloseTo(42.875, within(1e-9));
        assertThat(number(((Map<?, ?>) cad.get("totals")).get("conservative"))).isCloseTo(42.875, within(1e-9));
        // Another currency reads only the usage priced in it, unconverted.
        Map<String, Object> dollars = data(String.format(query, ", currencyCode: \"USD\""), "data.usageForecast");
        assertThat(dollars.get("currencyCode")).isEqualTo("USD");
        assertThat(number(((Map<?, ?>) dollars.get("totals")).get("likely"))).isCloseTo(17.5, within(1e-9));
        Map<String, Object> euros = data(String.format(query, ", currencyCode: \"EUR\""), "data.usageForecast");
        assertThat(number(((Map<?, ?>) euros.get("totals")).get("likely"))).isCloseTo(14.0, within(1e-9));

        Map<String, Object> patterns = data("{ usagePatterns(range: {from: \"2026-05-01\", to: \"2026-05-15\"}, metric: COST) { currencyCode"
                + " hoursOfDay { hour value } monthOverMonth { current } } }", "data.usagePatterns");
        assertThat(patterns.get("currencyCode")).isEqualTo("CAD");
        assertThat(number(((Map<?, ?>) ((List<?>) patterns.get("hoursOfDay")).get(10)).get("value"))).isCloseTo(91.875, within(1e-9));
        assertThat(number(((Map<?, ?>) patterns.get("monthOverMonth")).get("current"))).isCloseTo(91.875, within(1e-9));
        Map<String, Object> anomalies = data("{ usageAnomalies(metric: COST) { currencyCode anomalies { date } } }", "data.usageAnomalies");
        assertThat(anomalies.get("currencyCode")).isEqualTo("CAD");
    }

    @Test
    @SuppressWarnings("unchecked")
    void suggestionsSaveCadAtTodaysRate() {
        Map<String, Object> answer = data("{ usageSuggestions(timeZone: \"UTC\") { suggestions { kind basedOn { label value }"
                + " potentialSaving { amount currencyCode } originalPotentialSaving { amount currencyCode } } } }", "data.usageSuggestions");
        List<Map<String, Object>> suggestions = (List<Map<String, Object>>) answer.get("suggestions");
        assertThat(suggestions).extracting(suggestion -> suggestion.get("kind")).containsExactly("CHEAPER_MODEL", "PROMPT_CACHING");
        // gpt-4o-mini: 15M input x (2.50 - 0.15)/M = 35.25 USD, x 1.25 = 44.0625 CAD.
        assertThat(suggestions.get(0).get("originalPotentialSaving")).isEqualTo(money("35.250000000", "USD"));
        assertThat(suggestions.get(0).get("potentialSaving")).isEqualTo(money("44.062500000", "CAD"));
        assertThat((List<Object>) suggestions.get(0).get("basedOn")).contains(Map.of("label", "USD to CAD rate of 2026-04-01", "value", "1.25"));
        // Caching: 30 % of 15M x (2.50 - 1.25)/M = 5.625 USD = 7.03125 CAD.
        assertThat(suggestions.get(1).get("originalPotentialSaving")).isEqualTo(money("5.625000000", "USD"));
        assertThat(suggestions.get(1).get("potentialSaving")).isEqualTo(money("7.031250000", "CAD"));
    }

    /**
     * An organization billed in USD whose billing currency is CAD from May 8th on (scheduled on May 1st, current
     * from May 8th): each day stays billed in its own currency, never re-converted, and the projection reports the
     * USD days in the current currency, CAD, at the rate of the last day read.
     */
    @Test
    void usageBilledInAnotherCurrencyIsReportedInTheCurrentOne() {
        Fixtures.Tenant switched = Fixtures.tenant(api, "switched-insight", "UTC", "USD");
        long id = GlobalId.decode(switched.organizationId()).orElseThrow().id();
        clock.set(Instant.parse("2026-05-01T00:00:00Z"));
        billingCurrencies.change(organizations.findById(id).orElseThrow(), "CAD", LocalDate.of(2026, 5, 8));
        clock.set(NOW);
        billingCurrencies.applyDue();
        record(switched, fifteenDaysOfMay("s"));
        TestApi.Response response = api.graphql(switched.memberToken(), "{ usageProjection(timeZone: \"UTC\") { monthToDateCost { amount currencyCode }"
                + " monthToDateOriginalCost { amount currencyCode } } }");
        assertThat(response.at("errors")).as(response.body()).isNull();
        // Days 1-7 billed 2.50 + 2.40 = 4.90 USD a day, 34.30 USD = 42.875 CAD at 1.25; days 8-15 billed 8 x 6.125 = 49.00 CAD.
        assertThat(response.at("data.usageProjection.monthToDateCost")).isEqualTo(money("91.875000000", "CAD"));
        assertThat(response.at("data.usageProjection.monthToDateOriginalCost")).isEqualTo(List.of(money("30.000000000", "EUR"), money("37.500000000", "USD")));
    }
}
