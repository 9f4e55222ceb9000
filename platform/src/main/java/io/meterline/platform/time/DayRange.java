package io.meterline.platform.time;

import io.meterline.platform.common.MeterlineException;
import io.micronaut.core.annotation.Nullable;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/**
 * Whole local days in one zone, {@code from} and {@code to} inclusive. The one place where a
 * viewer's calendar days become instants: local midnight to local midnight, so DST days have 23 or
 * 25 hours and +05:30 days start at 18:30 UTC.
 *
 * @param from the first day
 * @param to the last day
 * @param zone the zone the days are read in
 */
public record DayRange(LocalDate from, LocalDate to, ZoneId zone) {

    /** The longest range a query may ask for. */
    static final long MAX_DAYS = 3700;

    /** Named ranges, relative to today in the zone. */
    public enum Preset {
        CURRENT_MONTH, PREVIOUS_MONTH, TODAY, LAST_7_DAYS, LAST_30_DAYS, LAST_90_DAYS, CURRENT_WEEK, CURRENT_YEAR
    }

    public Instant start() {
        return from.atStartOfDay(zone).toInstant();
    }

    /** The instant after the last day (exclusive). */
    public Instant end() {
        return to.plusDays(1).atStartOfDay(zone).toInstant();
    }

    /** Resolves a GraphQL {@code DateRangeInput} (preset, from, to); none of them given means {@code whenEmpty}. */
    public static DayRange of(@Nullable java.util.Map<String, Object> input, Preset whenEmpty, ZoneId zone, Clock clock) {
        if (input == null || (input.get("preset") == null && input.get("from") == null && input.get("to") == null)) {
            return of(whenEmpty, null, null, zone, clock);
        }
        return of(input.get("preset") == null ? null : Preset.valueOf((String) input.get("preset")), (LocalDate) input.get("from"), (LocalDate) input.get("to"),
                zone, clock);
    }

    /** Resolves a preset or explicit days; no range at all means the current month. */
    public static DayRange of(@Nullable Preset preset, @Nullable LocalDate from, @Nullable LocalDate to, ZoneId zone, Clock clock) {
        LocalDate today = LocalDate.now(clock.withZone(zone));
        if (preset != null) {
            if (from != null || to != null) {
                throw MeterlineException.badInput("Give either a preset or from and to, not both");
            }
            return switch (preset) {
                case CURRENT_MONTH -> new DayRange(today.withDayOfMonth(1), today, zone);
                case PREVIOUS_MONTH -> {
                    LocalDate first = today.withDayOfMonth(1).minusMonths(1);
                    yield new DayRange(first, first.with(TemporalAdjusters.lastDayOfMonth()), zone);
                }
                case TODAY -> new DayRange(today, today, zone);
                case LAST_7_DAYS -> new DayRange(today.minusDays(6), today, zone);
                case LAST_30_DAYS -> new DayRange(today.minusDays(29), today, zone);
                case LAST_90_DAYS -> new DayRange(today.minusDays(89), today, zone);
                case CURRENT_WEEK -> new DayRange(today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)), today, zone);
                case CURRENT_YEAR -> new DayRange(today.withDayOfYear(1), today, zone);
            };
        }
        if (from == null && to == null) {
            return of(Preset.CURRENT_MONTH, null, null, zone, clock);
        }
        if (from == null || to == null) {
            throw MeterlineException.badInput("Give both from and to");
        }
        if (to.isBefore(from)) {
            throw MeterlineException.badInput("to is before from");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw MeterlineException.badInput("A range spans at most " + MAX_DAYS + " days");
        }
        return new DayRange(from, to, zone);
    }
}
