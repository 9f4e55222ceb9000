package io.meterline.platform.analytics;

import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.usage.DayRange;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The buckets of a series in the viewer's zone, and how each is read from the UTC grains of
 * {@code usage_rollup}: a bucket is an exact union of whole UTC days, whole UTC hours and quarter
 * hours, so a 23- or 25-hour DST day and a +05:45 day are both exact. Reading cost depends on the
 * range and granularity, never on how many events there were.
 */
public final class TimeGrid {

    /** Series granularities. Weeks start on Monday (ISO); the first and last week and month are cut to the range. */
    public enum Granularity {
        HOUR(31), DAY(400), WEEK(3 * 366), MONTH(10 * 366);

        /** The longest range, in days, a series of this granularity may cover. */
        final int maxDays;

        Granularity(int maxDays) {
            this.maxDays = maxDays;
        }
    }

    /** One bucket: [start, end) and the local date it starts on. */
    public record Bucket(Instant start, Instant end, LocalDate date) {
    }

    private static final Duration QUARTER = Duration.ofMinutes(15);

    private final List<Bucket> buckets;
    /** Per grain ('D', 'H', 'Q'): the UTC unit start to the bucket index it belongs to. */
    private final Map<Character, Map<Instant, Integer>> units = new LinkedHashMap<>();

    private TimeGrid(List<Bucket> buckets) {
        this.buckets = buckets;
        for (char grain : new char[] {'D', 'H', 'Q'}) {
            units.put(grain, new java.util.HashMap<>());
        }
        for (int index = 0; index < buckets.size(); index++) {
            Instant at = buckets.get(index).start();
            Instant end = buckets.get(index).end();
            while (at.isBefore(end)) {
                char grain;
                Duration length;
                if (at.equals(at.truncatedTo(ChronoUnit.DAYS)) && !at.plus(Duration.ofDays(1)).isAfter(end)) {
                    grain = 'D';
                    length = Duration.ofDays(1);
                }
                else if (at.equals(at.truncatedTo(ChronoUnit.HOURS)) && !at.plus(Duration.ofHours(1)).isAfter(end)) {
                    grain = 'H';
                    length = Duration.ofHours(1);
                }
                else {
                    grain = 'Q';
                    length = QUARTER;
                }
                units.get(grain).put(at, index);
                at = at.plus(length);
            }
        }
    }

    /** The buckets of {@code days} at a granularity; refuses a range longer than the granularity allows. */
    public static TimeGrid of(DayRange days, Granularity granularity) {
        long length = ChronoUnit.DAYS.between(days.from(), days.to()) + 1;
        if (length > granularity.maxDays) {
            throw MeterlineException.badInput("A " + granularity.name().toLowerCase(java.util.Locale.ROOT) + " series covers at most " + granularity.maxDays
                    + " days; this range has " + length);
        }
        List<Bucket> buckets = new ArrayList<>();
        if (granularity == Granularity.HOUR) {
            ZonedDateTime at = days.from().atStartOfDay(days.zone());
            Instant end = days.end();
            while (at.toInstant().isBefore(end)) {
                ZonedDateTime next = at.plusHours(1);
                buckets.add(new Bucket(at.toInstant(), next.toInstant(), at.toLocalDate()));
                at = next;
            }
            return new TimeGrid(buckets);
        }
        LocalDate date = days.from();
        while (!date.isAfter(days.to())) {
            LocalDate next = switch (granularity) {
                case DAY -> date.plusDays(1);
                case WEEK -> date.with(TemporalAdjusters.next(DayOfWeek.MONDAY));
                default -> date.with(TemporalAdjusters.firstDayOfNextMonth());
            };
            if (next.isAfter(days.to())) {
                next = days.to().plusDays(1);
            }
            buckets.add(new Bucket(date.atStartOfDay(days.zone()).toInstant(), next.atStartOfDay(days.zone()).toInstant(), date));
            date = next;
        }
        return new TimeGrid(buckets);
    }

    /** The whole range as one bucket (a breakdown), made of the same units. */
    TimeGrid whole() {
        return new TimeGrid(List.of(new Bucket(buckets.get(0).start(), buckets.get(buckets.size() - 1).end(), buckets.get(0).date())));
    }

    public List<Bucket> buckets() {
        return buckets;
    }

    /** The UTC units of one grain the buckets are made of, to bucket index. */
    Map<Instant, Integer> units(char grain) {
        return units.get(grain);
    }
}
