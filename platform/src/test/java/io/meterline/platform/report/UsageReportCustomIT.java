package io.meterline.platform.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.analytics.EventTotals;
import io.meterline.platform.analytics.Totals;
import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.Money;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.time.DayRange;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A custom report with a model and a feature: their intersection read from the events equals the sum of the matching
 * events (tokens, calls, cost in the billing currency), and for one dimension alone the events path answers what the
 * rollups answer, as of the same roll.
 */
class UsageReportCustomIT extends ServerTest {

    static final String CUSTOM = "query($range: DateRangeInput!, $compareTo: DateRangeInput, $model: String, $feature: String) { usageReportCustom(range: $range,"
            + " compareTo: $compareTo, model: $model, feature: $feature) { totals { tokens requests cost { amount } } model { key totals { tokens } }"
            + " feature { key totals { tokens } } modelAndFeature { key totals { tokens requests cost { amount currencyCode } } tokenShare requestShare }"
            + " comparison { totals { tokens } modelAndFeature { key totals { tokens requests cost { amount } } } } } }";

    static final DayRange JUNE = new DayRange(LocalDate.parse("2026-06-01"), LocalDate.parse("2026-06-30"), ZoneId.of("Asia/Kolkata"));
    static final DayRange MAY = new DayRange(LocalDate.parse("2026-05-01"), LocalDate.parse("2026-05-31"), ZoneId.of("Asia/Kolkata"));
    static final DayRange APRIL = new DayRange(LocalDate.parse("2026-04-01"), LocalDate.parse("2026-04-30"), ZoneId.of("Asia/Kolkata"));

    @Inject
    MutableClock clock;

    @Inject
    UsageRoller roller;

    @Inject
    AnalyticsService analytics;

    @Inject
    EventTotals eventTotals;

    @Inject
    TransactionOperations<Connection> transactions;

    Fixtures.Tenant tenant;
    long organizationId;
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
        clock.set(Instant.parse("2026-07-10T12:00:00Z"));
        rows = new Rows(transactions);
        // Kolkata (+05:30): June runs from 2026-05-31T18:30Z to 2026-06-30T18:30Z.
        tenant = Fixtures.tenant(api, "custom-both", "Asia/Kolkata");
        organizationId = GlobalId.decode(tenant.organizationId()).orElseThrow().id();
        record("chat-1", "2026-05-31T18:30:00Z", "gpt-4o", 1000, 200, "chat");
        record("chat-2", "2026-06-20T09:00:00Z", "gpt-4o", 3000, 0, "chat");
        record("agents", "2026-06-05T09:00:00Z", "gpt-4o", 5000, 0, "agents");
        record("mini-chat", "2026-06-06T09:00:00Z", "gpt-4o-mini", 7000, 0, "chat");
        record("no-feature", "2026-06-07T09:00:00Z", "gpt-4o", 11000, 0, null);
        record("may-chat", "2026-05-10T09:00:00Z", "gpt-4o", 13000, 500, "chat");
        record("may-last", "2026-05-31T18:29:59Z", "gpt-4o", 17000, 0, "chat");
        record("july-chat", "2026-06-30T18:30:00Z", "gpt-4o", 19000, 0, "chat");
        roller.rollAll();
    }

    private void record(String id, String timestamp, String model, int inputTokens, int outputTokens, String feature) {
        Map<String, Object> event = Map.of("id", id, "timestamp", timestamp, "provider", "openai", "model", model,
                "meters", Map.of("input_tokens", inputTokens, "output_tokens", outputTokens), "dimensions", feature == null ? Map.of() : Map.of("feature", feature));
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(event))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    /** The billing cost of the events of gpt-4o in the chat feature between two UTC instants, summed by SQL and rounded once. */
    private String eventsCost(String from, String to) {
        Object sum = rows.value("SELECT SUM(billing_cost) FROM usage_event WHERE organization_id = ? AND provider = 'openai' AND model = 'gpt-4o'"
                + " AND feature = 'chat' AND billing_currency = 'USD' AND occurred_at >= ? AND occurred_at < ?", organizationId,
                LocalDateTime.parse(from), LocalDateTime.parse(to));
        return Money.round((BigDecimal) sum).toPlainString();
    }

    private static BigDecimal decimal(Object value) {
        return new BigDecimal(value.toString());
    }

    @Test
    void aModelWithinAFeatureIsTheSumOfTheMatchingEventsInBothPeriods() {
        TestApi.Response response = api.graphql(tenant.memberToken(), CUSTOM, Map.of("range", Map.of("from", "2026-06-01", "to", "2026-06-30"),
                "compareTo", Map.of("from", "2026-05-01", "to", "2026-05-31"), "model", "openai/gpt-4o", "feature", "chat"));
        assertThat(response.at("errors")).as(response.body()).isNull();
        // June: chat-1 and chat-2 only (not agents, not the mini model's chat, not the call without a feature, not July's).
        assertThat(response.at("data.usageReportCustom.modelAndFeature.key")).isEqualTo("openai/gpt-4o | chat");
        assertThat(decimal(response.at("data.usageReportCustom.modelAndFeature.totals.tokens"))).isEqualByComparingTo("4200");
        assertThat(((Number) response.at("data.usageReportCustom.modelAndFeature.totals.requests")).longValue()).isEqualTo(2);
        String juneCost = eventsCost("2026-05-31T18:30:00", "2026-06-30T18:30:00");
        assertThat(decimal(juneCost)).isPositive();
        assertThat(decimal(response.at("data.usageReportCustom.modelAndFeature.totals.cost.amount"))).isEqualByComparingTo(juneCost);
        assertThat(response.at("data.usageReportCustom.modelAndFeature.totals.cost.currencyCode")).isEqualTo("USD");
        // Shares of the range: 4,200 of 27,200 tokens, 2 of 5 calls.
        assertThat(decimal(response.at("data.usageReportCustom.totals.tokens"))).isEqualByComparingTo("27200");
        assertThat(((Number) response.at("data.usageReportCustom.modelAndFeature.tokenShare")).doubleValue()).isEqualTo(15.4412);
        assertThat(((Number) response.at("data.usageReportCustom.modelAndFeature.requestShare")).doubleValue()).isEqualTo(40.0);
        // Model and feature alone stay what the rollups say: every feature of the model, every model of the feature.
        assertThat(decimal(response.at("data.usageReportCustom.model.totals.tokens"))).isEqualByComparingTo("20200");
        assertThat(decimal(response.at("data.usageReportCustom.feature.totals.tokens"))).isEqualByComparingTo("11200");

        // May: may-chat and may-last (the second before Kolkata's June).
        assertThat(decimal(response.at("data.usageReportCustom.comparison.modelAndFeature.totals.tokens"))).isEqualByComparingTo("30500");
        assertThat(((Number) response.at("data.usageReportCustom.comparison.modelAndFeature.totals.requests")).longValue()).isEqualTo(2);
        assertThat(decimal(response.at("data.usageReportCustom.comparison.modelAndFeature.totals.cost.amount")))
                .isEqualByComparingTo(eventsCost("2026-04-30T18:30:00", "2026-05-31T18:30:00"));
    }

    @Test
    void withOnlyOneOfThemThereIsNoIntersectionAndNoMatchIsZero() {
        TestApi.Response modelOnly = api.graphql(tenant.memberToken(), CUSTOM, Map.of("range", Map.of("from", "2026-06-01", "to", "2026-06-30"),
                "model", "openai/gpt-4o"));
        assertThat(modelOnly.at("errors")).as(modelOnly.body()).isNull();
        assertThat(modelOnly.at("data.usageReportCustom.modelAndFeature")).isNull();
        assertThat(modelOnly.at("data.usageReportCustom.comparison.modelAndFeature")).isNull();

        TestApi.Response none = api.graphql(tenant.memberToken(), CUSTOM, Map.of("range", Map.of("from", "2026-06-01", "to", "2026-06-30"),
                "model", "openai/gpt-4o-mini", "feature", "agents"));
        assertThat(none.at("errors")).as(none.body()).isNull();
        assertThat(decimal(none.at("data.usageReportCustom.modelAndFeature.totals.tokens"))).isEqualByComparingTo("0");
        assertThat(decimal(none.at("data.usageReportCustom.modelAndFeature.totals.cost.amount"))).isEqualByComparingTo("0");
        assertThat(((Number) none.at("data.usageReportCustom.modelAndFeature.tokenShare")).doubleValue()).isEqualTo(0.0);
    }

    @Test
    void forOneDimensionTheEventsPathAnswersWhatTheRollupsAnswerAsOfTheSameRoll() {
        assertThat(assertSamePaths(Dimension.MODEL, "openai/gpt-4o", JUNE, MAY)).extracting(Totals::tokens)
                .usingElementComparator(BigDecimal::compareTo).containsExactly(new BigDecimal("20200"), new BigDecimal("30500"));
        assertThat(assertSamePaths(Dimension.FEATURE, "chat", JUNE, MAY)).extracting(Totals::tokens)
                .usingElementComparator(BigDecimal::compareTo).containsExactly(new BigDecimal("11200"), new BigDecimal("30500"));

        // A call not rolled up yet is in neither path; once rolled, in both (April: no other test reads it).
        record("april-chat", "2026-04-10T09:00:00Z", "gpt-4o", 23000, 0, "chat");
        assertThat(assertSamePaths(Dimension.MODEL, "openai/gpt-4o", APRIL).get(0).requests()).isZero();
        roller.rollAll();
        assertThat(assertSamePaths(Dimension.MODEL, "openai/gpt-4o", APRIL).get(0).tokens()).isEqualByComparingTo("23000");
    }

    /** The events path's totals of one value over each range equal the rollups' group; the events path's totals. */
    private List<Totals> assertSamePaths(Dimension dimension, String value, DayRange... ranges) {
        List<Totals> events = eventTotals.matching(organizationId, List.of(ranges), Map.of(dimension, value));
        List<AnalyticsService.Breakdown> rollups = analytics.breakdowns(Arrays.stream(ranges)
                .map(days -> new AnalyticsService.Span(organizationId, days)).toList(), dimension);
        for (int i = 0; i < ranges.length; i++) {
            Totals fromEvents = events.get(i);
            Totals fromRollups = UsageReportService.group(rollups.get(i), value).totals();
            assertThat(fromEvents.requests()).as(dimension + " " + ranges[i]).isEqualTo(fromRollups.requests());
            assertThat(fromEvents.tokens()).isEqualByComparingTo(fromRollups.tokens());
            assertThat(fromEvents.inputTokens()).isEqualByComparingTo(fromRollups.inputTokens());
            assertThat(fromEvents.outputTokens()).isEqualByComparingTo(fromRollups.outputTokens());
            assertThat(fromEvents.durationMs()).isEqualTo(fromRollups.durationMs());
            assertThat(fromEvents.billingCost().keySet()).isEqualTo(fromRollups.billingCost().keySet());
            fromEvents.billingCost().forEach((currency, amount) -> assertThat(amount).isEqualByComparingTo(fromRollups.billingCost().get(currency)));
            fromEvents.cost().forEach((currency, amount) -> assertThat(amount).isEqualByComparingTo(fromRollups.cost().get(currency)));
        }
        return events;
    }
}
