package io.meterline.platform.insight;

import io.meterline.platform.common.Money;
import io.micronaut.core.annotation.Nullable;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** The answers of the insight queries; field names follow the schema. */
final class Insights {

    private Insights() {
    }

    /** What a series counts. */
    enum Metric {
        COST, TOKENS, REQUESTS
    }

    enum Granularity {
        DAY, HOUR
    }

    enum Direction {
        HIGH, LOW
    }

    enum SuggestionKind {
        CHEAPER_MODEL, PROMPT_CACHING
    }

    /** Each cost in the billing currency, beside the amounts per priced currency ({@code *OriginalCost}). */
    record Projection(String timeZone, LocalDate monthStart, LocalDate monthEnd, LocalDate today, double daysElapsed, int daysInMonth,
                      Money monthToDateCost, List<Money> monthToDateOriginalCost, Money dailyAverageCost, List<Money> dailyAverageOriginalCost,
                      Money projectedMonthCost, List<Money> projectedMonthOriginalCost, long unconvertedRequests, Instant asOf) {
    }

    record WeekdayFactor(DayOfWeek dayOfWeek, double factor) {
    }

    record ForecastDay(LocalDate date, DayOfWeek dayOfWeek, double conservative, double likely, double aggressive) {
    }

    record ForecastTotals(double conservative, double likely, double aggressive) {
    }

    record UsageForecast(Metric metric, @Nullable String currencyCode, String timeZone, LocalDate historyFrom, LocalDate historyTo, int historyDaysUsed,
                         List<WeekdayFactor> weekdayFactors, double trendPerDay, double residualStdDev, double bandMultiplier,
                         List<ForecastDay> days, ForecastTotals totals, Instant asOf) {
    }

    record HourOfDay(int hour, double value, double share) {
    }

    record DayOfWeekValue(DayOfWeek dayOfWeek, double value, double share) {
    }

    record PeriodComparison(LocalDate currentFrom, LocalDate currentTo, LocalDate previousFrom, LocalDate previousTo, double current, double previous,
                            @Nullable Double changePercent) {
    }

    record Patterns(LocalDate from, LocalDate to, String timeZone, Metric metric, @Nullable String currencyCode, List<HourOfDay> hoursOfDay,
                    List<DayOfWeekValue> daysOfWeek, @Nullable Integer busiestHour, @Nullable DayOfWeek busiestDayOfWeek, PeriodComparison weekOverWeek,
                    PeriodComparison monthOverMonth, PeriodComparison yearOverYear, Instant asOf) {
    }

    record Anomaly(Instant start, Instant end, LocalDate date, @Nullable Integer hour, double value, double expected, double score, Direction direction) {
    }

    record Anomalies(Granularity granularity, Metric metric, @Nullable String currencyCode, String timeZone, LocalDate from, LocalDate to, int window,
                     double threshold, List<Anomaly> anomalies, Instant asOf) {
    }

    record Figure(String label, String value) {
    }

    /**
     * A suggestion; {@code potentialSaving} is in the billing currency (null while no rate converts it),
     * {@code originalPotentialSaving} in the currency of the prices compared.
     */
    record Suggestion(SuggestionKind kind, String title, String detail, String provider, String model, @Nullable String alternativeModel,
                      List<Figure> basedOn, @Nullable Money potentialSaving, Money originalPotentialSaving) {

        Suggestion withSaving(@Nullable Money saving, List<Figure> figures) {
            return new Suggestion(kind, title, detail, provider, model, alternativeModel, List.copyOf(figures), saving, originalPotentialSaving);
        }
    }

    record Suggestions(LocalDate from, LocalDate to, String timeZone, List<Suggestion> suggestions, Instant asOf) {
    }
}
