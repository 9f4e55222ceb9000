package io.meterline.platform.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.alert.AlertRequest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Period arithmetic in organization zones, threshold crossings with their levels, and colour bands: no server, no database. */
class BudgetPeriodsTest {

    static Budget budget(Budget.Period period, Budget.Type type, String limit, String thresholds) {
        return new Budget(7L, 1L, "Quota", Budget.Metric.REQUESTS, null, null, Budget.Scope.ORGANIZATION, null, period,
                limit == null ? null : new BigDecimal(limit), thresholds, Budget.Enforcement.HARD, type, null, false, Instant.EPOCH);
    }

    static BudgetPeriods.Window window(Budget.Period period, String instant, String zone) {
        return BudgetPeriods.of(budget(period, Budget.Type.SUBSCRIPTION, "10", "80"), Instant.parse(instant), ZoneId.of(zone));
    }

    @Test
    void daysStartAtLocalMidnightIncludingHalfHourZonesAndDaylightSavingDays() {
        BudgetPeriods.Window kolkata = window(Budget.Period.DAY, "2026-11-25T20:00:00Z", "Asia/Kolkata");
        assertThat(kolkata.start()).isEqualTo(Instant.parse("2026-11-25T18:30:00Z"));
        assertThat(kolkata.end()).isEqualTo(Instant.parse("2026-11-26T18:30:00Z"));
        BudgetPeriods.Window springForward = window(Budget.Period.DAY, "2026-03-29T12:00:00Z", "Europe/Berlin");
        assertThat(Duration.between(springForward.start(), springForward.end())).isEqualTo(Duration.ofHours(23));
    }

    @Test
    void weeksStartOnMondayMonthsOnTheFirstAndMinutesOnTheLocalMinute() {
        BudgetPeriods.Window week = window(Budget.Period.WEEK, "2026-11-25T10:00:00Z", "UTC");
        assertThat(week.start()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(week.end()).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        BudgetPeriods.Window march = window(Budget.Period.MONTH, "2026-03-15T10:00:00Z", "Europe/Berlin");
        assertThat(march.start()).isEqualTo(Instant.parse("2026-02-28T23:00:00Z"));
        assertThat(march.end()).isEqualTo(Instant.parse("2026-03-31T22:00:00Z"));
        BudgetPeriods.Window minute = window(Budget.Period.MINUTE, "2026-11-25T10:00:42.5Z", "Asia/Kathmandu");
        assertThat(minute.start()).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
        assertThat(minute.end()).isEqualTo(Instant.parse("2026-11-25T10:01:00Z"));
    }

    @Test
    void totalAndOneTimeBudgetsHaveOneWindowThatNeverResets() {
        Budget oneTime = budget(Budget.Period.DAY, Budget.Type.ONE_TIME, "10", "80");
        assertThat(BudgetPeriods.of(oneTime, Instant.parse("2026-11-25T10:00:00Z"), ZoneId.of("UTC"))).isEqualTo(new BudgetPeriods.Window(BudgetPeriods.FOREVER, null));
        assertThat(window(Budget.Period.TOTAL, "2030-01-01T00:00:00Z", "UTC").end()).isNull();
        assertThat(BudgetPeriods.label(oneTime, BudgetPeriods.FOREVER, ZoneId.of("UTC"))).isEqualTo("total");
    }

    @Test
    void crossingsNameEachPassedThresholdOnceWithItsLevel() {
        Budget budget = budget(Budget.Period.DAY, Budget.Type.SUBSCRIPTION, "10", "75,90,95");
        BudgetStore.CounterKey key = new BudgetStore.CounterKey(7, Instant.parse("2026-11-25T00:00:00Z"));
        List<AlertRequest> all = BudgetUsageListener.crossings(budget, key, new BigDecimal("7"), new BigDecimal("12"), ZoneId.of("UTC"));
        assertThat(all).extracting(AlertRequest::dedupeKey).containsExactly("budget:7:2026-11-25:75", "budget:7:2026-11-25:90",
                "budget:7:2026-11-25:95", "budget:7:2026-11-25:100");
        assertThat(all).extracting(AlertRequest::level).containsExactly("WARNING", "CAUTION", "CRITICAL", "EXCEEDED");
        assertThat(BudgetUsageListener.crossings(budget, key, new BigDecimal("7.5"), new BigDecimal("8.9"), ZoneId.of("UTC"))).isEmpty();
        Budget single = budget(Budget.Period.DAY, Budget.Type.SUBSCRIPTION, "10", "80,100");
        assertThat(BudgetUsageListener.crossings(single, key, new BigDecimal("7"), new BigDecimal("10"), ZoneId.of("UTC")))
                .extracting(AlertRequest::level).containsExactly("WARNING", "EXCEEDED");
    }

    @Test
    void aPercentFallsInTheLastBandStartingAtOrBelowIt() {
        List<BudgetStore.Band> bands = List.of(new BudgetStore.Band("green", 0), new BudgetStore.Band("yellow", 60),
                new BudgetStore.Band("orange", 80), new BudgetStore.Band("red", 90));
        assertThat(BudgetStatus.bandOf(new BigDecimal("59.99"), bands)).isEqualTo("green");
        assertThat(BudgetStatus.bandOf(new BigDecimal("60.00"), bands)).isEqualTo("yellow");
        assertThat(BudgetStatus.bandOf(new BigDecimal("89.99"), bands)).isEqualTo("orange");
        assertThat(BudgetStatus.bandOf(new BigDecimal("250.00"), bands)).isEqualTo("red");
    }
}
