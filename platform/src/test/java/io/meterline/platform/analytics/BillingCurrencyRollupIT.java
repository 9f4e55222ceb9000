package io.meterline.platform.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.usage.DayRange;
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
 * The rollups keep the cost in the billing currency: a CAD organization's USD and EUR usage, held while no
 * exchange rate covers its day and rolled up so, is refolded when the rates arrive (fxRateSet), and its
 * billing sum then counts every event exactly once, in the rollups and in the 15-minute aggregates alike.
 *
 * <p>The day, 2023-03-06, is before the bundled rates (from 2024-11-20): only this test's rates cover it.
 */
class BillingCurrencyRollupIT extends ServerTest {

    private static final String SET_RATE = "mutation($input: FxRateSetInput!) { fxRateSet(input: $input) { fxRate { rate } userErrors { field code } } }";
    private static final LocalDate DAY = LocalDate.parse("2023-03-06");

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    MutableClock clock;

    @Inject
    UsageRoller roller;

    @Inject
    AnalyticsService analytics;

    Rows rows;

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
        rows = new Rows(transactions);
        clock.set(Instant.parse("2026-11-25T12:00:00Z"));
    }

    private void setRate(String currency, String rate) {
        TestApi.Response response = api.graphql(api.adminToken(), SET_RATE, Map.of("input", Map.of("currency", currency, "rate", rate, "date", DAY.toString())));
        assertThat(response.at("data.fxRateSet.fxRate.rate")).as(response.body()).isNotNull();
    }

    private Totals day(long organizationId) {
        return analytics.breakdown(organizationId, new DayRange(DAY, DAY, ZoneId.of("America/Toronto")), Dimension.ALL).totals();
    }

    @Test
    void usageRolledUpWhileUnconvertedIsRefoldedOnceWhenItsRatesArrive() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "rollup-cad", "America/Toronto", "CAD");
        long organizationId = ((Number) rows.value("SELECT id FROM organization WHERE slug = ?", tenant.slug())).longValue();
        // gpt-4: 100,000 input tokens at 0.03 USD and 50,000 output tokens at 0.06 USD per thousand = 6 USD;
        // flat-token: 100,000 tokens at 0.00002 EUR = 2 EUR.
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(
                Map.of("id", "usd", "timestamp", "2023-03-06T15:00:00Z", "provider", "openai", "model", "gpt-4",
                        "meters", Map.of("input_tokens", 100000, "output_tokens", 50000), "dimensions", Map.of("session", "chat-1")),
                Map.of("id", "eur", "timestamp", "2023-03-06T16:00:00Z", "provider", "flat-token", "model", "any",
                        "meters", Map.of("tokens", 100000), "dimensions", Map.of("session", "chat-1"))))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        roller.rollAll();

        Totals held = day(organizationId);
        assertThat(held.requests()).isEqualTo(2);
        assertThat(held.unconvertedRequests()).isEqualTo(2);
        assertThat(held.billingCost()).isEmpty();
        assertThat(held.cost()).containsOnly(Map.entry("EUR", new BigDecimal("2.000000000")), Map.entry("USD", new BigDecimal("6.000000000")));

        // CAD's rate converts the EUR event (EUR is the base); the USD one waits for USD's.
        setRate("CAD", "1.4500");
        Totals half = day(organizationId);
        assertThat(half.unconvertedRequests()).isEqualTo(1);
        assertThat(half.billingCost()).containsOnly(Map.entry("CAD", new BigDecimal("2.900000000")));

        // 1.45 / 1.065 = 1.361502347418; 6 x that = 8.169014085 CAD.
        setRate("USD", "1.0650");
        roller.rollAll();
        Totals converted = day(organizationId);
        assertThat(converted.requests()).isEqualTo(2);
        assertThat(converted.unconvertedRequests()).isZero();
        assertThat(converted.billingCost()).containsOnly(Map.entry("CAD", new BigDecimal("11.069014085")));
        assertThat(converted.cost()).containsOnly(Map.entry("EUR", new BigDecimal("2.000000000")), Map.entry("USD", new BigDecimal("6.000000000")));
        assertThat(analytics.lifetime(organizationId).billingCost()).containsOnly(Map.entry("CAD", new BigDecimal("11.069014085")));
        assertThat(analytics.session(organizationId, "chat-1").orElseThrow().totals().billingCost())
                .containsOnly(Map.entry("CAD", new BigDecimal("11.069014085")));
        // Every grain kept the same sum, and the 15-minute aggregates too.
        for (String grain : List.of("D", "H", "Q")) {
            assertThat(new BigDecimal(String.valueOf(rows.value("SELECT SUM(billing_cost) FROM usage_rollup WHERE organization_id = ? AND dimension = 'ALL'"
                    + " AND grain = ? AND billing_currency = 'CAD'", organizationId, grain)))).as(grain).isEqualByComparingTo("11.069014085");
            assertThat(rows.count("SELECT SUM(requests) FROM usage_rollup WHERE organization_id = ? AND dimension = 'ALL' AND grain = ?"
                    + " AND billing_currency = ''", organizationId, grain)).as(grain).isZero();
        }
        assertThat(new BigDecimal(String.valueOf(rows.value("SELECT SUM(billing_cost) FROM usage_bucket WHERE organization_id = ? AND billing_currency = 'CAD'",
                organizationId)))).isEqualByComparingTo("11.069014085");
        assertThat(rows.count("SELECT SUM(requests) FROM usage_bucket WHERE organization_id = ?", organizationId)).isEqualTo(2);
    }
}
