package io.meterline.platform.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code usageSummary}: local days in any zone, exact agreement with the priced events. */
class UsageSummaryIT extends ServerTest {

    private static final String SUMMARY = "query($range: DateRangeInput, $zone: String) { usageSummary(range: $range, timeZone: $zone) {"
            + " from to timeZone requests errorRequests tokens characters minutes images cost { amount currencyCode } originalCost { amount currencyCode }"
            + " byProvider { provider requests tokens cost { amount currencyCode } originalCost { amount currencyCode } } byModel { provider model requests tokens meters { meter quantity } }"
            + " meters { provider meter unit quantity } asOf } }";

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "summary", "Asia/Kolkata");
    }

    private Map<String, Object> summary(String from, String to, String zone) {
        Map<String, Object> variables = new java.util.HashMap<>();
        variables.put("range", Map.of("from", from, "to", to));
        variables.put("zone", zone);
        TestApi.Response response = api.graphql(tenant.adminToken(), SUMMARY, variables);
        assertThat(response.at("errors")).as(response.body()).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) response.at("data.usageSummary");
        return summary;
    }

    private void record(String id, String timestamp, String provider, String model, Map<String, Object> meters, String status) {
        Map<String, Object> event = new java.util.HashMap<>(Map.of("id", id, "timestamp", timestamp, "provider", provider, "model", model, "meters", meters));
        event.put("status", status);
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(event))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @Test
    void localDaysFollowTheViewersZoneIncludingHalfAndQuarterHourOffsets() {
        // 2026-06-14T18:29:59Z is 23:59:59 on June 14 in Kolkata (+05:30) and 00:14:59 on June 15 in Kathmandu (+05:45).
        record("tz-a", "2026-06-14T18:29:59Z", "images", "dall-e-3", Map.of("images", 1), "ok");
        // 18:30Z is already June 15 in Kolkata; 18:15Z is already June 15 in Kathmandu.
        record("tz-b", "2026-06-14T18:30:00Z", "images", "dall-e-3", Map.of("images", 2), "ok");
        record("tz-c", "2026-06-14T18:14:59Z", "images", "dall-e-3", Map.of("images", 4), "ok");

        assertThat(summary("2026-06-14", "2026-06-14", "Asia/Kolkata").get("images")).isEqualTo(5);
        assertThat(summary("2026-06-15", "2026-06-15", "Asia/Kolkata").get("images")).isEqualTo(2);
        assertThat(summary("2026-06-14", "2026-06-14", "Asia/Kathmandu").get("images")).isEqualTo(4);
        assertThat(summary("2026-06-15", "2026-06-15", "Asia/Kathmandu").get("images")).isEqualTo(3);
        assertThat(summary("2026-06-14", "2026-06-14", "UTC").get("images")).isEqualTo(7);
        Map<String, Object> organizationZone = summary("2026-06-15", "2026-06-15", null);
        assertThat(organizationZone.get("timeZone")).isEqualTo("Asia/Kolkata");
        assertThat(organizationZone.get("images")).isEqualTo(2);
    }

    @Test
    void totalsAgreeToTheLastDecimalWithTheSumOfPricedEvents() {
        Random random = new Random(42);
        List<Object> events = new ArrayList<>();
        String[][] models = {{"openai", "gpt-4o", "input_tokens", "output_tokens", "cached_tokens"}, {"anthropic", "claude-3-5-sonnet", "input_tokens", "output_tokens", "cache_read_tokens"},
                {"elevenlabs", "eleven_turbo_v2_5", "characters"}, {"smartflo", "voice", "minutes"}, {"flat-token", "any", "tokens"}};
        for (int i = 0; i < 400; i++) {
            String[] model = models[random.nextInt(models.length)];
            Map<String, Object> meters = new java.util.HashMap<>();
            for (int m = 2; m < model.length; m++) {
                meters.put(model[m], model[m].equals("minutes") ? new BigDecimal(random.nextInt(600)).movePointLeft(1) : random.nextInt(5000));
            }
            Map<String, Object> event = new java.util.HashMap<>(Map.of("id", "sum-" + i, "provider", model[0], "model", model[1], "meters", meters,
                    "timestamp", String.format("2026-07-%02dT%02d:%02d:00Z", 1 + random.nextInt(28), random.nextInt(24), random.nextInt(60))));
            event.put("status", random.nextInt(20) == 0 ? "rate_limited" : "ok");
            events.add(event);
        }
        assertThat(api.usage(tenant.apiKey(), api.write(Map.of("events", events))).status()).isEqualTo(200);

        Map<String, Object> july = summary("2026-07-01", "2026-07-31", "UTC");
        assertThat(july.get("requests")).isEqualTo(400);
        assertThat(((Number) july.get("errorRequests")).longValue()).isEqualTo(rows.count("SELECT COUNT(*) FROM usage_event WHERE event_id LIKE 'sum-%' AND status <> 'ok'"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cost = (List<Map<String, Object>>) july.get("originalCost");
        for (Map<String, Object> money : cost) {
            BigDecimal fromEvents = (BigDecimal) rows.value("SELECT SUM(cost) FROM usage_event WHERE event_id LIKE 'sum-%' AND currency = ?", money.get("currencyCode"));
            assertThat(new BigDecimal((String) money.get("amount"))).as("cost in " + money.get("currencyCode")).isEqualTo(fromEvents.setScale(9));
        }
        assertThat(cost).extracting(money -> money.get("currencyCode")).containsExactlyInAnyOrder("EUR", "USD");
        // The figure in the billing currency (USD) is the events' own figures added up, to the billionth.
        BigDecimal billing = (BigDecimal) rows.value("SELECT SUM(billing_cost) FROM usage_event WHERE event_id LIKE 'sum-%' AND billing_currency = 'USD'");
        assertThat(july.get("cost")).isEqualTo(Map.of("amount", billing.setScale(9).toPlainString(), "currencyCode", "USD"));
        long tokens = 0;
        for (Object event : events) {
            @SuppressWarnings("unchecked")
            Map<String, Object> meters = (Map<String, Object>) ((Map<String, Object>) event).get("meters");
            for (Map.Entry<String, Object> meter : meters.entrySet()) {
                if (meter.getKey().endsWith("tokens")) {
                    tokens += ((Number) meter.getValue()).longValue();
                }
            }
        }
        assertThat(((Number) july.get("tokens")).longValue()).isEqualTo(tokens);
    }

    @Test
    void badRangesAreRefused() {
        TestApi.Response reversed = api.graphql(tenant.adminToken(), "{ usageSummary(range: {from: \"2026-02-02\", to: \"2026-02-01\"}) { requests } }");
        assertThat(reversed.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        TestApi.Response both = api.graphql(tenant.adminToken(), "{ usageSummary(range: {preset: TODAY, from: \"2026-02-02\", to: \"2026-02-03\"}) { requests } }");
        assertThat(both.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        TestApi.Response zone = api.graphql(tenant.adminToken(), "{ usageSummary(timeZone: \"Mars/Base\") { requests } }");
        assertThat(zone.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        TestApi.Response preset = api.graphql(tenant.adminToken(), "{ usageSummary(range: {preset: LAST_30_DAYS}) { from to } }");
        assertThat(preset.at("errors")).isNull();
    }
}
