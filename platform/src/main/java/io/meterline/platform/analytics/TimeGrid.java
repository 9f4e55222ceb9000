package io.meterline.platform.analytics;

import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.TimeBuckets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The buckets of a series in the viewer's zone, and how each is read ({@link #plan}): as an exact
 * union of the units {@code usage_rollup} keeps for the dimension (the organization's local days;
 * for the total also UTC hours and quarter hours), and, for any stretch no unit fits, of the events
 * themselves. So a 23- or 25-hour DST day and a +05:45 day are both exact. A viewer in the
 * organization's own zone reads days, weeks and months from day rows only, whatever the number of
 * events; hours grouped by a dimension, or another zone's days grouped by one, read the events of
 * the stretches between day rows.
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

    /** A stretch of one bucket that no rollup unit covers: read from the events. */
    record Window(Instant start, Instant end, int bucket) {
    }

    /**
     * How to read the buckets for one dimension.
     *
     * @param units per grain ('D', 'H', 'Q'): each unit's start to the index of the bucket it belongs to
     * @param raw the stretches to read from the events, in time order, adjacent ones of one bucket merged
     */
    record Plan(Map<Character, Map<Instant, Integer>> units, List<Window> raw) {
    }

    private static final Duration QUARTER = Duration.ofMinutes(15);

    private final List<Bucket> buckets;

    private TimeGrid(List<Bucket> buckets) {
        this.buckets = buckets;
    }

    /** Where the local day of {@code instant} in {@code zone} starts: the start of the 'D' unit holding it. */
    static Instant dayStart(Instant instant, ZoneId zone) {
        return instant.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
    }

    /** Whether local hours under this offset are UTC hours. */
    static boolean wholeHours(ZoneOffset offset) {
        return offset.getTotalSeconds() % 3600 == 0;
    }

    /**
     * Where the local hour holding {@code instant} starts, when the zone's offset then is not whole hours (Asia/Kolkata,
     * Asia/Kathmandu): the start of the organization's 'L' row; null where UTC hours are local hours.
     */
    static Instant localHourStart(Instant instant, ZoneId zone) {
        ZoneOffset offset = zone.getRules().getOffset(instant);
        if (wholeHours(offset)) {
            return null;
        }
        return instant.plusSeconds(offset.getTotalSeconds()).truncatedTo(ChronoUnit.HOURS).minusSeconds(offset.getTotalSeconds());
    }

    private static Instant nextDayStart(Instant instant, ZoneId zone) {
        return instant.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
    }

    /**
     * The units of {@code dimension}'s grains each bucket is made of, greatest first, with the 'D' units
     * the local days of {@code dayZone} (the organization's); what none fits is left to the events.
     */
    Plan plan(Dimension dimension, ZoneId dayZone) {
        String grains = dimension.grains();
        Map<Character, Map<Instant, Integer>> units = new LinkedHashMap<>();
        for (char grain : grains.toCharArray()) {
            units.put(grain, new HashMap<>());
        }
        List<Window> raw = new ArrayList<>();
        // The local day holding `at`, worked out again only when `at` leaves it (a year of hours is 8,760 steps).
        Instant day = Instant.MAX;
        Instant nextDay = Instant.MIN;
        for (int index = 0; index < buckets.size(); index++) {
            Instant at = buckets.get(index).start();
            Instant end = buckets.get(index).end();
            while (at.isBefore(end)) {
                if (at.isBefore(day) || !at.isBefore(nextDay)) {
                    day = dayStart(at, dayZone);
                    nextDay = nextDayStart(at, dayZone);
                }
                Instant nextHour = at.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
                Instant nextQuarter = TimeBuckets.bucketOf(at).plus(QUARTER);
                if (grains.indexOf('D') >= 0 && day.equals(at) && !nextDay.isAfter(end)) {
                    units.get('D').put(at, index);
                    at = nextDay;
                }
                else if (grains.indexOf('H') >= 0 && at.equals(at.truncatedTo(ChronoUnit.HOURS)) && !nextHour.isAfter(end)) {
                    units.get('H').put(at, index);
                    at = nextHour;
                }
                else if (grains.indexOf('Q') >= 0 && at.equals(TimeBuckets.bucketOf(at)) && !nextQuarter.isAfter(end)) {
                    units.get('Q').put(at, index);
                    at = nextQuarter;
                }
                else {
                    // Up to where a unit could start next, within the bucket.
                    Instant next = nextDay.isBefore(end) ? nextDay : end;
                    if (grains.indexOf('H') >= 0 && nextHour.isBefore(next)) {
                        next = nextHour;
                    }
                    if (grains.indexOf('Q') >= 0 && nextQuarter.isBefore(next)) {
                        next = nextQuarter;
                    }
                    Window last = raw.isEmpty() ? null : raw.get(raw.size() - 1);
                    if (last != null && last.bucket() == index && last.end().equals(at)) {
                        raw.set(raw.size() - 1, new Window(last.start(), next, index));
                    }
                    else {
                        raw.add(new Window(at, next, index));
                    }
                    at = next;
                }
            }
        }
        return new Plan(units, raw);
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

    /** Buckets between consecutive ascending instants, of any length and number; dates in {@code zone}. */
    static TimeGrid between(List<Instant> edges, ZoneId zone) {
        List<Bucket> buckets = new ArrayList<>();
        for (int i = 1; i < edges.size(); i++) {
            buckets.add(new Bucket(edges.get(i - 1), edges.get(i), LocalDate.ofInstant(edges.get(i - 1), zone)));
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
}
