package io.meterline.platform.insight;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.StatementCounter;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.webhook.WebhookDispatcher;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Projection, forecast, patterns, anomalies (query and webhook) and suggestions, on known usage with a fixed clock. */
class InsightIT extends ServerTest {

    @Inject
    MutableClock clock;

    @Inject
    AnomalyWebhookJob anomalyJob;

    @Inject
    UsageRoller roller;

    @Inject
    StatementCounter statements;

    @Inject
    WebhookDispatcher dispatcher;

    @Inject
    TransactionOperations<Connection> transactions;

    WireMockServer receiver;
    Rows rows;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put(StatementCounter.ENABLE, "true");
        // Tests run the dispatcher and the anomaly check themselves.
        properties.put("meterline.webhooks.dispatch-interval", "1h");
        // The WireMock receiver is http://localhost:<port>, which webhooks may reach only when allowed.
        properties.put("meterline.webhooks.allow-http", "true");
        properties.put("meterline.webhooks.allowed-hosts", "localhost");
        properties.put("meterline.insight.anomaly-check-interval", "1h");
        // Insight reads the rollups: the test rolls up itself, after recording.
        properties.put("meterline.analytics.scheduled-roll", "false");
        // Every page reads the roll's mark itself (none served from an earlier page's read), so statement counts are exact.
        properties.put("meterline.analytics.mark-ttl", "0s");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        receiver = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        receiver.start();
    }

    @AfterAll
    void stopReceiver() {
        receiver.stop();
    }

    private static Map<String, Object> event(String id, String timestamp, String provider, String model, Map<String, Object> meters) {
        return Map.of("id", id, "timestamp", timestamp, "provider", provider, "model", model, "meters", meters);
    }

    private void record(Fixtures.Tenant tenant, List<Map<String, Object>> events) {
        for (int from = 0; from < events.size(); from += 1000) {
            TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", events.subList(from, Math.min(events.size(), from + 1000)))));
            assertThat(response.status()).as(response.body()).isEqualTo(200);
        }
        roller.rollAll();
    }

    private Object data(String token, String query, Map<String, Object> variables, String path) {
        TestApi.Response response = api.graphql(token, query, variables);
        assertThat(response.at("errors")).as(response.body()).isNull();
        return response.at(path);
    }

    private static BigDecimal decimal(Object value) {
        return new BigDecimal(String.valueOf(value));
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    @Test
    void projectionOfAKnownMonth() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "insight-projection", "UTC");
        clock.set(Instant.parse("2026-04-16T00:00:00Z"));
        List<Map<String, Object>> events = new ArrayList<>();
        for (int day = 1; day <= 15; day++) {
            // 1,000,000 gpt-4o input tokens cost 2.50 USD at the default rate.
            events.add(event("p-" + day, String.format("2026-04-%02dT10:00:00Z", day), "openai", "gpt-4o", Map.of("input_tokens", 1_000_000)));
        }
        events.add(event("p-march", "2026-03-31T23:59:00Z", "openai", "gpt-4o", Map.of("input_tokens", 1_000_000)));
        record(tenant, events);

        String query = "{ usageProjection(timeZone: \"UTC\") { timeZone monthStart monthEnd today daysElapsed daysInMonth monthToDateCost { amount currencyCode }"
                + " monthToDateOriginalCost { amount currencyCode } dailyAverageCost { amount } projectedMonthCost { amount currencyCode } unconvertedRequests asOf } }";
        @SuppressWarnings("unchecked")
        Map<String, Object> projection = (Map<String, Object>) data(tenant.memberToken(), query, Map.of(), "data.usageProjection");
        assertThat(projection.get("monthStart")).isEqualTo("2026-04-01");
        assertThat(projection.get("monthEnd")).isEqualTo("2026-04-30");
        assertThat(projection.get("today")).isEqualTo("2026-04-16");
        assertThat(number(projection.get("daysElapsed"))).isEqualTo(15.0);
        assertThat(projection.get("daysInMonth")).isEqualTo(30);
        assertThat(projection.get("monthToDateCost")).isEqualTo(Map.of("amount", "37.500000000", "currencyCode", "USD"));
        assertThat(projection.get("monthToDateOriginalCost")).isEqualTo(List.of(Map.of("amount", "37.500000000", "currencyCode", "USD")));
        assertThat(decimal(((Map<?, ?>) projection.get("dailyAverageCost")).get("amount"))).isEqualByComparingTo("2.5");
        assertThat(decimal(((Map<?, ?>) projection.get("projectedMonthCost")).get("amount"))).isEqualByComparingTo("75");
        assertThat(projection.get("unconvertedRequests")).isEqualTo(0);
        assertThat(projection.get("asOf")).isEqualTo("2026-04-16T00:00:00Z");

        // At noon on the 16th, 15.5 days have passed.
        clock.set(Instant.parse("2026-04-16T12:00:00Z"));
        Object elapsed = data(tenant.memberToken(), "{ usageProjection(timeZone: \"UTC\") { daysElapsed } }", Map.of(), "data.usageProjection.daysElapsed");
        assertThat(number(elapsed)).isEqualTo(15.5);
        // The figures are as fresh as the last roll (midnight), not the moment they are read.
        assertThat(data(tenant.memberToken(), "{ usageProjection(timeZone: \"UTC\") { asOf } }", Map.of(), "data.usageProjection.asOf"))
                .isEqualTo("2026-04-16T00:00:00Z");
    }

    @Test
    void forecastFollowsTheWeekdayPatternAndRefusesTooManyDays() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "insight-forecast", "UTC");
        clock.set(Instant.parse("2026-03-02T12:00:00Z"));
        List<Map<String, Object>> events = new ArrayList<>();
        // 56 days, Monday 2026-01-05 to Sunday 2026-03-01: weekdays 1000 tokens, weekends 200.
        for (LocalDate day = LocalDate.of(2026, 1, 5); day.isBefore(LocalDate.of(2026, 3, 2)); day = day.plusDays(1)) {
            int tokens = day.getDayOfWeek().getValue() >= 6 ? 200 : 1000;
            events.add(event("f-" + day, day + "T09:00:00Z", "flat-token", "any", Map.of("tokens", tokens)));
        }
        record(tenant, events);

        String query = "query($days: Int) { usageForecast(days: $days, metric: TOKENS) { metric currencyCode historyFrom historyTo historyDaysUsed"
                + " weekdayFactors { dayOfWeek factor } residualStdDev bandMultiplier days { date dayOfWeek conservative likely aggressive }"
                + " totals { conservative likely aggressive } } }";
        @SuppressWarnings("unchecked")
        Map<String, Object> forecast = (Map<String, Object>) data(tenant.adminToken(), query, Map.of("days", 7), "data.usageForecast");
        assertThat(forecast.get("historyFrom")).isEqualTo("2026-01-05");
        assertThat(forecast.get("historyTo")).isEqualTo("2026-03-01");
        assertThat(forecast.get("historyDaysUsed")).isEqualTo(56);
        assertThat(forecast.get("currencyCode")).isNull();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> days = (List<Map<String, Object>>) forecast.get("days");
        assertThat(days).hasSize(7);
        assertThat(days.get(0).get("date")).isEqualTo("2026-03-02");
        assertThat(days.get(0).get("dayOfWeek")).isEqualTo("MONDAY");
        for (Map<String, Object> day : days) {
            double expected = List.of("SATURDAY", "SUNDAY").contains(day.get("dayOfWeek")) ? 200 : 1000;
            assertThat(number(day.get("likely"))).as(String.valueOf(day.get("date"))).isCloseTo(expected, within(1e-6));
            assertThat(number(day.get("conservative"))).isCloseTo(expected, within(1e-6));
        }
        assertThat(number(((Map<?, ?>) forecast.get("totals")).get("likely"))).isCloseTo(5400, within(1e-6));
        assertThat(number(forecast.get("bandMultiplier"))).isEqualTo(1.28);

        TestApi.Response tooMany = api.graphql(tenant.adminToken(), "{ usageForecast(days: 91) { totals { likely } } }");
        assertThat(tooMany.at("errors.0.extensions.code")).as(tooMany.body()).isEqualTo("BAD_USER_INPUT");
        TestApi.Response none = api.graphql(tenant.adminToken(), "{ usageForecast(days: 0) { totals { likely } } }");
        assertThat(none.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        Object cost = data(tenant.adminToken(), "{ usageForecast { metric currencyCode days { date } } }", Map.of(), "data.usageForecast");
        assertThat(((Map<?, ?>) cost).get("metric")).isEqualTo("COST");
        assertThat((List<?>) ((Map<?, ?>) cost).get("days")).hasSize(30);
    }

    /** The organization in UTC reads Kathmandu's hours from quarter rows; in Kathmandu, from its own local hour rows. */
    @ParameterizedTest
    @ValueSource(strings = {"UTC", "Asia/Kathmandu"})
    void patternsReadHoursAndDaysInKathmandu(String organizationZone) {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "insight-patterns-" + organizationZone.toLowerCase(Locale.ROOT).replace('/', '-'), organizationZone);
        clock.set(Instant.parse("2026-06-17T12:00:00Z"));
        record(tenant, List.of(
                // Kathmandu is +05:45: 18:15Z is local midnight.
                event("k-1", "2026-06-14T18:15:00Z", "flat-token", "any", Map.of("tokens", 100)),   // Mon 15th 00:00
                event("k-2", "2026-06-15T03:15:00Z", "flat-token", "any", Map.of("tokens", 300)),   // Mon 09:00
                event("k-3", "2026-06-15T03:14:00Z", "flat-token", "any", Map.of("tokens", 50)),    // Mon 08:59
                event("k-4", "2026-06-13T20:00:00Z", "flat-token", "any", Map.of("tokens", 20)),    // Sun 14th 01:45
                event("k-5", "2026-06-09T06:00:00Z", "flat-token", "any", Map.of("tokens", 150)),   // last week, Tue
                event("k-6", "2026-05-10T06:00:00Z", "flat-token", "any", Map.of("tokens", 310)),   // last month, 10th
                event("k-7", "2025-03-01T06:00:00Z", "flat-token", "any", Map.of("tokens", 465))));  // last year

        String query = "query($zone: String) { usagePatterns(range: {from: \"2026-06-14\", to: \"2026-06-16\"}, timeZone: $zone) { from to timeZone metric"
                + " hoursOfDay { hour value share } daysOfWeek { dayOfWeek value } busiestHour busiestDayOfWeek"
                + " weekOverWeek { currentFrom currentTo previousFrom previousTo current previous changePercent }"
                + " monthOverMonth { currentFrom previousFrom previousTo current previous changePercent }"
                + " yearOverYear { currentFrom previousFrom previousTo current previous changePercent } } }";
        @SuppressWarnings("unchecked")
        Map<String, Object> patterns = (Map<String, Object>) data(tenant.adminToken(), query, Map.of("zone", "Asia/Kathmandu"), "data.usagePatterns");
        List<?> hours = (List<?>) patterns.get("hoursOfDay");
        assertThat(hours).hasSize(24);
        double[] expected = new double[24];
        expected[0] = 100;
        expected[1] = 20;
        expected[8] = 50;
        expected[9] = 300;
        for (int hour = 0; hour < 24; hour++) {
            assertThat(number(((Map<?, ?>) hours.get(hour)).get("value"))).as("hour " + hour).isEqualTo(expected[hour]);
        }
        assertThat(number(((Map<?, ?>) hours.get(9)).get("share"))).isCloseTo(300.0 / 470, within(1e-9));
        assertThat(patterns.get("busiestHour")).isEqualTo(9);
        assertThat(patterns.get("busiestDayOfWeek")).isEqualTo("MONDAY");
        List<?> days = (List<?>) patterns.get("daysOfWeek");
        assertThat(((Map<?, ?>) days.get(0)).get("dayOfWeek")).isEqualTo("MONDAY");
        assertThat(number(((Map<?, ?>) days.get(0)).get("value"))).isEqualTo(450);
        assertThat(number(((Map<?, ?>) days.get(6)).get("value"))).isEqualTo(20);

        Map<?, ?> week = (Map<?, ?>) patterns.get("weekOverWeek");
        assertThat(week.get("currentFrom")).isEqualTo("2026-06-15");
        assertThat(week.get("currentTo")).isEqualTo("2026-06-17");
        assertThat(week.get("previousFrom")).isEqualTo("2026-06-08");
        assertThat(week.get("previousTo")).isEqualTo("2026-06-10");
        assertThat(number(week.get("current"))).isEqualTo(450);
        assertThat(number(week.get("previous"))).isEqualTo(150);
        assertThat(number(week.get("changePercent"))).isCloseTo(200, within(1e-9));
        Map<?, ?> month = (Map<?, ?>) patterns.get("monthOverMonth");
        assertThat(month.get("previousFrom")).isEqualTo("2026-05-01");
        assertThat(month.get("previousTo")).isEqualTo("2026-05-17");
        assertThat(number(month.get("current"))).isEqualTo(620);
        assertThat(number(month.get("previous"))).isEqualTo(310);
        assertThat(number(month.get("changePercent"))).isCloseTo(100, within(1e-9));
        Map<?, ?> year = (Map<?, ?>) patterns.get("yearOverYear");
        assertThat(year.get("previousFrom")).isEqualTo("2025-01-01");
        assertThat(year.get("previousTo")).isEqualTo("2025-06-17");
        assertThat(number(year.get("current"))).isEqualTo(930);
        assertThat(number(year.get("changePercent"))).isCloseTo(100, within(1e-9));

        // The same usage in UTC: the 08:59 and 09:00 Kathmandu calls are both at 03:xx.
        @SuppressWarnings("unchecked")
        Map<String, Object> utc = (Map<String, Object>) data(tenant.adminToken(), query, Map.of("zone", "UTC"), "data.usagePatterns");
        assertThat(number(((Map<?, ?>) ((List<?>) utc.get("hoursOfDay")).get(3)).get("value"))).isEqualTo(350);
        assertThat(utc.get("busiestHour")).isEqualTo(3);
    }

    @Test
    void patternsFollowBerlinAcrossTheAutumnClockChange() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "insight-patterns-dst", "UTC");
        clock.set(Instant.parse("2026-10-28T12:00:00Z"));
        record(tenant, List.of(
                // Berlin leaves +02:00 for +01:00 at 01:00Z on Sunday 25 October: local 02:00-03:00 happens twice.
                event("b-1", "2026-10-24T10:30:00Z", "flat-token", "any", Map.of("tokens", 100)),   // Sat 12:30 (+02:00)
                event("b-2", "2026-10-26T10:30:00Z", "flat-token", "any", Map.of("tokens", 300)),   // Mon 11:30 (+01:00)
                event("b-3", "2026-10-25T00:30:00Z", "flat-token", "any", Map.of("tokens", 7)),     // Sun 02:30, the first
                event("b-4", "2026-10-25T01:30:00Z", "flat-token", "any", Map.of("tokens", 11)),    // Sun 02:30, the second
                event("b-5", "2026-10-23T21:59:00Z", "flat-token", "any", Map.of("tokens", 1000)),  // Fri 23:59, before the range
                event("b-6", "2026-10-26T22:59:00Z", "flat-token", "any", Map.of("tokens", 5))));   // Mon 23:59, its last minute

        @SuppressWarnings("unchecked")
        Map<String, Object> patterns = (Map<String, Object>) data(tenant.adminToken(), "{ usagePatterns(range: {from: \"2026-10-24\", to: \"2026-10-26\"},"
                + " timeZone: \"Europe/Berlin\") { hoursOfDay { hour value } daysOfWeek { dayOfWeek value } busiestHour busiestDayOfWeek } }", Map.of(),
                "data.usagePatterns");
        double[] expected = new double[24];
        expected[2] = 18;
        expected[11] = 300;
        expected[12] = 100;
        expected[23] = 5;
        List<?> hours = (List<?>) patterns.get("hoursOfDay");
        for (int hour = 0; hour < 24; hour++) {
            assertThat(number(((Map<?, ?>) hours.get(hour)).get("value"))).as("hour " + hour).isEqualTo(expected[hour]);
        }
        List<?> days = (List<?>) patterns.get("daysOfWeek");
        assertThat(days.stream().map(day -> number(((Map<?, ?>) day).get("value"))).toList()).containsExactly(305.0, 0.0, 0.0, 0.0, 0.0, 100.0, 18.0);
        assertThat(patterns.get("busiestHour")).isEqualTo(11);
        assertThat(patterns.get("busiestDayOfWeek")).isEqualTo("MONDAY");

        // By requests: one a call, so the repeated hour is the busiest.
        @SuppressWarnings("unchecked")
        Map<String, Object> requests = (Map<String, Object>) data(tenant.adminToken(), "{ usagePatterns(range: {from: \"2026-10-24\", to: \"2026-10-26\"},"
                + " timeZone: \"Europe/Berlin\", metric: REQUESTS) { daysOfWeek { value } busiestHour } }", Map.of(), "data.usagePatterns");
        assertThat(((List<?>) requests.get("daysOfWeek")).stream().map(day -> number(((Map<?, ?>) day).get("value"))).toList())
                .containsExactly(2.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0);
        assertThat(requests.get("busiestHour")).isEqualTo(2);
    }

    @Test
    void anomaliesFindTheOneInjectedSpike() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "insight-anomaly", "UTC");
        clock.set(Instant.parse("2026-08-01T00:30:00Z"));
        List<Map<String, Object>> events = new ArrayList<>();
        int i = 0;
        for (LocalDate day = LocalDate.of(2026, 6, 1); day.isBefore(LocalDate.of(2026, 8, 1)); day = day.plusDays(1), i++) {
            int tokens = day.equals(LocalDate.of(2026, 7, 20)) ? 10_000 : 1000 + (i % 5) * 30;
            events.add(event("a-" + day, day + "T12:00:00Z", "flat-token", "any", Map.of("tokens", tokens)));
        }
        record(tenant, events);

        String query = "{ usageAnomalies(granularity: DAY, range: {from: \"2026-07-01\", to: \"2026-07-31\"}, metric: TOKENS) { granularity window threshold"
                + " anomalies { start end date hour value expected score direction } } }";
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = (Map<String, Object>) data(tenant.memberToken(), query, Map.of(), "data.usageAnomalies");
        assertThat(answer.get("window")).isEqualTo(28);
        assertThat(number(answer.get("threshold"))).isEqualTo(3.5);
        List<?> anomalies = (List<?>) answer.get("anomalies");
        assertThat(anomalies).hasSize(1);
        Map<?, ?> spike = (Map<?, ?>) anomalies.get(0);
        assertThat(spike.get("date")).isEqualTo("2026-07-20");
        assertThat(spike.get("start")).isEqualTo("2026-07-20T00:00:00Z");
        assertThat(spike.get("end")).isEqualTo("2026-07-21T00:00:00Z");
        assertThat(spike.get("hour")).isNull();
        assertThat(number(spike.get("value"))).isEqualTo(10_000);
        assertThat(number(spike.get("expected"))).isEqualTo(1060);
        assertThat(number(spike.get("score"))).isGreaterThan(3.5);
        assertThat(spike.get("direction")).isEqualTo("HIGH");

        TestApi.Response tooLong = api.graphql(tenant.memberToken(), "{ usageAnomalies(granularity: HOUR, range: {from: \"2026-06-01\", to: \"2026-07-31\"}) { window } }");
        assertThat(tooLong.at("errors.0.extensions.code")).as(tooLong.body()).isEqualTo("BAD_USER_INPUT");
        TestApi.Response reversed = api.graphql(tenant.memberToken(), "{ usageAnomalies(range: {from: \"2026-07-02\", to: \"2026-07-01\"}) { window } }");
        assertThat(reversed.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void anUnusualHourIsSentAsAUsageAnomalyWebhookOnce() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "insight-hook", "UTC");
        long organizationId = GlobalId.decode(tenant.organizationId()).orElseThrow().id();
        clock.set(Instant.parse("2026-09-10T12:10:00Z"));
        receiver.stubFor(post(urlEqualTo("/anomaly")).willReturn(aResponse().withStatus(204)));
        TestApi.Response created = api.graphql(tenant.adminToken(), "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {"
                + " webhookEndpoint { id } userErrors { code } } }", Map.of("input", Map.of("url", receiver.baseUrl() + "/anomaly", "eventTypes", List.of("usage.anomaly"))));
        assertThat(created.at("data.webhookEndpointCreate.userErrors")).as(created.body()).isEqualTo(List.of());
        List<Map<String, Object>> events = new ArrayList<>();
        Instant spikeHour = Instant.parse("2026-09-10T09:00:00Z");
        for (Instant hour = Instant.parse("2026-09-02T00:00:00Z"); hour.isBefore(Instant.parse("2026-09-10T12:30:00Z")); hour = hour.plusSeconds(3600)) {
            int tokens = hour.equals(spikeHour) ? 5000 : 100 + (int) (hour.getEpochSecond() / 3600 % 4) * 10;
            events.add(event("h-" + hour.getEpochSecond(), hour.plusSeconds(300).toString(), "flat-token", "any", Map.of("tokens", tokens)));
        }
        record(tenant, events);

        assertThat(anomalyJob.checkNow()).isEqualTo(1);
        dispatcher.dispatchDue();
        List<LoggedRequest> received = receiver.findAll(postRequestedFor(urlEqualTo("/anomaly")));
        assertThat(received).hasSize(1);
        assertThat(received.get(0).getHeader("Meterline-Event")).isEqualTo("usage.anomaly");
        // Tokens and their cost (flat-token prices in EUR) spike; the cost is in the organization's billing currency.
        assertThat(received.get(0).getBodyAsString()).contains("\"type\":\"usage.anomaly\"").contains("\"start\":\"2026-09-10T09:00:00Z\"")
                .contains("\"metric\":\"TOKENS\"").contains("\"direction\":\"HIGH\"").doesNotContain("\"metric\":\"REQUESTS\"")
                .contains("\"metric\":\"COST\",\"currencyCode\":\"USD\"");

        // Later runs, within the hour and the next, send nothing more.
        assertThat(anomalyJob.checkNow()).isZero();
        clock.set(Instant.parse("2026-09-10T13:10:00Z"));
        assertThat(anomalyJob.checkNow()).isZero();
        dispatcher.dispatchDue();
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/anomaly")))).hasSize(1);
        assertThat(rows.count("SELECT COUNT(*) FROM usage_anomaly_emitted WHERE organization_id = ?", organizationId)).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ? AND event_type = 'usage.anomaly'", organizationId)).isEqualTo(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void suggestionsPriceTheSameTokensOnACheaperModelAndPromptCaching() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "insight-suggest", "UTC");
        clock.set(Instant.parse("2026-10-15T12:00:00Z"));
        record(tenant, List.of(event("s-1", "2026-10-03T10:00:00Z", "openai", "gpt-4o", Map.of("input_tokens", 2_000_000, "output_tokens", 500_000)),
                event("s-2", "2026-09-30T10:00:00Z", "openai", "gpt-4o", Map.of("input_tokens", 9_000_000))));

        String query = "{ usageSuggestions { from to suggestions { kind title detail provider model alternativeModel basedOn { label value }"
                + " potentialSaving { amount currencyCode } originalPotentialSaving { amount currencyCode } } } }";
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = (Map<String, Object>) data(tenant.memberToken(), query, Map.of(), "data.usageSuggestions");
        assertThat(answer.get("from")).isEqualTo("2026-10-01");
        List<?> suggestions = (List<?>) answer.get("suggestions");
        assertThat(suggestions).hasSize(2);
        // gpt-4o: 2M input x 2.50/M + 0.5M output x 10.00/M = 10.00 USD; gpt-4o-mini: 2M x 0.15/M + 0.5M x 0.60/M = 0.60 USD.
        Map<?, ?> cheaper = (Map<?, ?>) suggestions.get(0);
        assertThat(cheaper.get("kind")).isEqualTo("CHEAPER_MODEL");
        assertThat(cheaper.get("model")).isEqualTo("gpt-4o");
        assertThat(cheaper.get("alternativeModel")).isEqualTo("gpt-4o-mini");
        assertThat(decimal(((Map<?, ?>) cheaper.get("potentialSaving")).get("amount"))).isEqualByComparingTo("9.40");
        assertThat(((Map<?, ?>) cheaper.get("potentialSaving")).get("currencyCode")).isEqualTo("USD");
        assertThat(cheaper.get("originalPotentialSaving")).isEqualTo(cheaper.get("potentialSaving"));
        assertThat((List<Object>) cheaper.get("basedOn")).contains(Map.of("label", "input_tokens this month", "value", "2000000"),
                Map.of("label", "cost on gpt-4o at current prices", "value", "10 USD"), Map.of("label", "cost on gpt-4o-mini at current prices", "value", "0.6 USD"));
        // Caching: 30 % of 2M input x (2.50 - 1.25)/M = 0.75 USD.
        Map<?, ?> caching = (Map<?, ?>) suggestions.get(1);
        assertThat(caching.get("kind")).isEqualTo("PROMPT_CACHING");
        assertThat(decimal(((Map<?, ?>) caching.get("potentialSaving")).get("amount"))).isEqualByComparingTo("0.75");
        assertThat((String) caching.get("detail")).contains("Assuming 30 %").contains("0.0 %");
        assertThat((List<Object>) caching.get("basedOn")).contains(Map.of("label", "assumed cacheable share", "value", "30 %"));
    }

    @Test
    void anotherOrganizationsIdIsNotFoundAndBadInputIsTyped() {
        Fixtures.Tenant a = Fixtures.tenant(api, "insight-a", "UTC");
        Fixtures.Tenant b = Fixtures.tenant(api, "insight-b", "UTC");
        long before = rows.count("SELECT COUNT(*) FROM usage_anomaly_emitted");
        for (String field : List.of("usageProjection(organizationId: $org) { asOf }", "usageForecast(organizationId: $org) { asOf }",
                "usagePatterns(organizationId: $org) { asOf }", "usageAnomalies(organizationId: $org) { asOf }", "usageSuggestions(organizationId: $org) { asOf }")) {
            for (String token : List.of(a.adminToken(), a.memberToken())) {
                TestApi.Response response = api.graphql(token, "query($org: ID) { " + field + " }", Map.of("org", b.organizationId()));
                assertThat(response.at("errors.0.extensions.code")).as(field + ": " + response.body()).isEqualTo("NOT_FOUND");
                assertThat(response.body()).doesNotContain("insight-b");
            }
            TestApi.Response admin = api.graphql(api.adminToken(), "query($org: ID) { " + field + " }", Map.of("org", b.organizationId()));
            assertThat(admin.at("errors")).as(field + ": " + admin.body()).isNull();
        }
        for (String field : List.of("usageProjection", "usageForecast", "usagePatterns", "usageAnomalies", "usageSuggestions")) {
            TestApi.Response response = api.graphql(a.adminToken(), "{ " + field + "(timeZone: \"Mars/Base\") { asOf } }");
            assertThat(response.at("errors.0.extensions.code")).as(field + ": " + response.body()).isEqualTo("BAD_USER_INPUT");
        }
        TestApi.Response tooLong = api.graphql(a.adminToken(), "{ usagePatterns(range: {from: \"2025-01-01\", to: \"2026-06-01\"}) { asOf } }");
        assertThat(tooLong.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(rows.count("SELECT COUNT(*) FROM usage_anomaly_emitted")).isEqualTo(before);
    }

    /**
     * Every insight reads the rollups through the analytics room: a statement per grain it needs and
     * two for the roll's mark (suggestions: one of the month's meter aggregates), the same for ten
     * events as for a thousand; never the 15-minute aggregates otherwise.
     */
    @Test
    void anInsightCostsAFewStatementsWhateverTheNumberOfEvents() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "insight-statements", "UTC");
        clock.set(Instant.parse("2026-12-20T12:00:00Z"));
        Map<String, Long> before = null;
        for (int size : List.of(10, 1000)) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                events.add(event("st-" + size + "-" + i, Instant.parse("2026-10-01T00:00:00Z").plusSeconds(i * 6_571L).toString(), "openai", "gpt-4o",
                        Map.of("input_tokens", 100 + i, "output_tokens", 10)));
            }
            record(tenant, events);
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            for (String query : List.of("{ usageProjection { asOf } }", "{ usageForecast { asOf } }",
                    "{ usagePatterns(range: {from: \"2026-09-21\", to: \"2026-12-19\"}) { asOf } }",
                    "{ usageAnomalies(range: {from: \"2026-11-01\", to: \"2026-12-19\"}) { asOf } }",
                    "{ usageAnomalies(granularity: HOUR, range: {from: \"2026-12-01\", to: \"2026-12-19\"}) { asOf } }", "{ usageSuggestions { asOf } }")) {
                statements.start("usage_rollup", "usage_event", "usage_bucket");
                data(tenant.adminToken(), query, Map.of(), "data");
                counts.put(query, statements.count());
            }
            if (before != null) {
                assertThat(counts).isEqualTo(before);
            }
            before = counts;
        }
        // In the organization's zone: days read day rows, hours hour rows (each with the roll's mark); patterns add the periods' day rows.
        assertThat(before.values()).containsExactly(2L, 2L, 4L, 2L, 2L, 1L);
    }
}
