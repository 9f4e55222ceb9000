package io.meterline.platform.budget;

import io.micronaut.core.annotation.Nullable;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/**
 * The one place where budget periods are computed: minutes, local days (local midnight), ISO weeks
 * (Monday) and months (the 1st) in the organization's time zone, as {@code time/DayRange} reads days.
 * Budgets that never reset (TOTAL, or ONE_TIME) have one window that starts at {@link #FOREVER}.
 */
public final class BudgetPeriods {

    /** The start of the single window of budgets that never reset. */
    public static final Instant FOREVER = Instant.parse("2000-01-01T00:00:00Z");

    private BudgetPeriods() {
    }

    /**
     * One period of a budget.
     *
     * @param start its first instant
     * @param end the instant after it, null when it never ends
     */
    public record Window(Instant start, @Nullable Instant end) {
    }

    /** The period of a budget that holds an instant. */
    public static Window of(Budget budget, Instant instant, ZoneId zone) {
        if (budget.neverResets()) {
            return new Window(FOREVER, null);
        }
        ZonedDateTime local = instant.atZone(zone);
        return switch (budget.periodKind()) {
            case MINUTE -> {
                ZonedDateTime start = local.truncatedTo(ChronoUnit.MINUTES);
                yield new Window(start.toInstant(), start.plusMinutes(1).toInstant());
            }
            case DAY -> window(local.toLocalDate().atStartOfDay(zone), local.toLocalDate().plusDays(1).atStartOfDay(zone));
            case WEEK -> {
                java.time.LocalDate monday = local.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                yield window(monday.atStartOfDay(zone), monday.plusWeeks(1).atStartOfDay(zone));
            }
            case MONTH -> {
                java.time.LocalDate first = local.toLocalDate().withDayOfMonth(1);
                yield window(first.atStartOfDay(zone), first.plusMonths(1).atStartOfDay(zone));
            }
            case TOTAL -> new Window(FOREVER, null);
        };
    }

    private static Window window(ZonedDateTime start, ZonedDateTime end) {
        return new Window(start.toInstant(), end.toInstant());
    }

    /** How a period is named in alert dedupe keys: its local start (a date for days, weeks and months). */
    public static String label(Budget budget, Instant start, ZoneId zone) {
        if (budget.neverResets()) {
            return "total";
        }
        ZonedDateTime local = start.atZone(zone);
        return budget.periodKind() == Budget.Period.MINUTE ? local.toLocalDateTime().toString() : local.toLocalDate().toString();
    }
}
