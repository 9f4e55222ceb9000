package io.meterline.platform.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.time.DayRange;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The series grid without a server: DST days, +05:30 and +05:45, weeks and months cut to the range, half-open buckets. */
class TimeGridTest {

    static final ZoneId TORONTO = ZoneId.of("America/Toronto");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");
    static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");

    static TimeGrid grid(String from, String to, ZoneId zone, TimeGrid.Granularity granularity) {
        return TimeGrid.of(new DayRange(LocalDate.parse(from), LocalDate.parse(to), zone), granularity);
    }

    static Instant at(String instant) {
        return Instant.parse(instant);
    }

    /** Each bucket ends where the next starts; the first starts at the range's start, the last ends at its (exclusive) end. */
    static void assertHalfOpenAndGapless(TimeGrid grid, DayRange range) {
        List<TimeGrid.Bucket> buckets = grid.buckets();
        assertThat(buckets.get(0).start()).isEqualTo(range.start());
        assertThat(buckets.get(buckets.size() - 1).end()).isEqualTo(range.end());
        for (int i = 0; i < buckets.size(); i++) {
            assertThat(buckets.get(i).start()).isBefore(buckets.get(i).end());
            if (i > 0) {
                assertThat(buckets.get(i).start()).isEqualTo(buckets.get(i - 1).end());
            }
        }
    }

    @Test
    void springForwardDaysHave23HourlyBucketsAndOneDayOf23Hours() {
        TimeGrid toronto = grid("2026-03-08", "2026-03-08", TORONTO, TimeGrid.Granularity.HOUR);
        assertThat(toronto.buckets()).hasSize(23);
        assertThat(toronto.buckets().get(0).start()).isEqualTo(at("2026-03-08T05:00:00Z"));
        // 01:00 EST is followed by 03:00 EDT: one real hour, no bucket for the 02:00 that never was.
        assertThat(toronto.buckets().get(2).start()).isEqualTo(at("2026-03-08T07:00:00Z"));
        assertThat(toronto.buckets().get(2).start().atZone(TORONTO).getHour()).isEqualTo(3);
        assertThat(toronto.buckets()).allSatisfy(bucket -> {
            assertThat(Duration.between(bucket.start(), bucket.end())).isEqualTo(Duration.ofHours(1));
            assertThat(bucket.date()).isEqualTo(LocalDate.parse("2026-03-08"));
        });

        TimeGrid berlinDay = grid("2026-03-29", "2026-03-29", BERLIN, TimeGrid.Granularity.DAY);
        assertThat(berlinDay.buckets()).containsExactly(
                new TimeGrid.Bucket(at("2026-03-28T23:00:00Z"), at("2026-03-29T22:00:00Z"), LocalDate.parse("2026-03-29")));
        assertThat(grid("2026-03-29", "2026-03-29", BERLIN, TimeGrid.Granularity.HOUR).buckets()).hasSize(23);
    }

    @Test
    void fallBackDaysHave25HourlyBucketsWithTheRepeatedHourTwice() {
        TimeGrid toronto = grid("2026-11-01", "2026-11-01", TORONTO, TimeGrid.Granularity.HOUR);
        assertThat(toronto.buckets()).hasSize(25);
        assertThat(toronto.buckets().get(1).start()).isEqualTo(at("2026-11-01T05:00:00Z"));
        assertThat(toronto.buckets().get(2).start()).isEqualTo(at("2026-11-01T06:00:00Z"));
        assertThat(toronto.buckets().get(1).start().atZone(TORONTO).getHour()).isEqualTo(1);
        assertThat(toronto.buckets().get(2).start().atZone(TORONTO).getHour()).isEqualTo(1);
        assertThat(toronto.buckets().get(24).end()).isEqualTo(at("2026-11-02T05:00:00Z"));

        TimeGrid berlinDays = grid("2026-10-24", "2026-10-26", BERLIN, TimeGrid.Granularity.DAY);
        assertThat(berlinDays.buckets()).extracting(bucket -> Duration.between(bucket.start(), bucket.end()).toHours()).containsExactly(24L, 25L, 24L);
        assertThat(berlinDays.buckets().get(1).start()).isEqualTo(at("2026-10-24T22:00:00Z"));
        assertThat(berlinDays.buckets().get(1).end()).isEqualTo(at("2026-10-25T23:00:00Z"));
        assertHalfOpenAndGapless(berlinDays, new DayRange(LocalDate.parse("2026-10-24"), LocalDate.parse("2026-10-26"), BERLIN));
    }

    @Test
    void kolkataAndKathmanduDaysAndHoursStartOffTheUtcHour() {
        TimeGrid kolkata = grid("2026-11-10", "2026-11-10", KOLKATA, TimeGrid.Granularity.HOUR);
        assertThat(kolkata.buckets()).hasSize(24);
        assertThat(kolkata.buckets().get(0).start()).isEqualTo(at("2026-11-09T18:30:00Z"));
        assertThat(kolkata.buckets().get(23).end()).isEqualTo(at("2026-11-10T18:30:00Z"));

        TimeGrid kathmandu = grid("2026-11-10", "2026-11-11", KATHMANDU, TimeGrid.Granularity.DAY);
        assertThat(kathmandu.buckets()).extracting(TimeGrid.Bucket::start)
                .containsExactly(at("2026-11-09T18:15:00Z"), at("2026-11-10T18:15:00Z"));
        assertHalfOpenAndGapless(kathmandu, new DayRange(LocalDate.parse("2026-11-10"), LocalDate.parse("2026-11-11"), KATHMANDU));

        assertThat(TimeGrid.wholeHours(ZoneOffset.ofHoursMinutes(5, 30))).isFalse();
        assertThat(TimeGrid.wholeHours(ZoneOffset.ofHoursMinutes(5, 45))).isFalse();
        assertThat(TimeGrid.wholeHours(ZoneOffset.ofHours(-4))).isTrue();
        // 10:10Z is 15:40 in Kolkata and 15:55 in Kathmandu: their local hour 15:00 started at 09:30Z and 09:15Z.
        assertThat(TimeGrid.localHourStart(at("2026-11-10T10:10:00Z"), KOLKATA)).isEqualTo(at("2026-11-10T09:30:00Z"));
        assertThat(TimeGrid.localHourStart(at("2026-11-10T10:10:00Z"), KATHMANDU)).isEqualTo(at("2026-11-10T09:15:00Z"));
        assertThat(TimeGrid.localHourStart(at("2026-11-10T10:10:00Z"), BERLIN)).as("UTC hours are Berlin's hours").isNull();
        assertThat(TimeGrid.dayStart(at("2026-11-10T18:14:59Z"), KATHMANDU)).isEqualTo(at("2026-11-09T18:15:00Z"));
        assertThat(TimeGrid.dayStart(at("2026-11-10T18:15:00Z"), KATHMANDU)).isEqualTo(at("2026-11-10T18:15:00Z"));
    }

    @Test
    void weeksStartOnMondayAndMonthsAreCutToTheRange() {
        // 2026-11-10 is a Tuesday: the first week is cut to Tuesday..Sunday, the last to Monday..Wednesday.
        TimeGrid weeks = grid("2026-11-10", "2026-11-25", ZoneOffset.UTC, TimeGrid.Granularity.WEEK);
        assertThat(weeks.buckets()).extracting(TimeGrid.Bucket::date)
                .containsExactly(LocalDate.parse("2026-11-10"), LocalDate.parse("2026-11-16"), LocalDate.parse("2026-11-23"));
        assertThat(weeks.buckets().get(2).end()).isEqualTo(at("2026-11-26T00:00:00Z"));

        DayRange months = new DayRange(LocalDate.parse("2028-01-15"), LocalDate.parse("2028-03-10"), TORONTO);
        TimeGrid grid = TimeGrid.of(months, TimeGrid.Granularity.MONTH);
        assertThat(grid.buckets()).extracting(TimeGrid.Bucket::date)
                .containsExactly(LocalDate.parse("2028-01-15"), LocalDate.parse("2028-02-01"), LocalDate.parse("2028-03-01"));
        // February of a leap year: 29 days of 24 hours, in EST.
        assertThat(Duration.between(grid.buckets().get(1).start(), grid.buckets().get(1).end())).isEqualTo(Duration.ofDays(29));
        // March is cut at the 10th, after the spring-forward Sunday (the 12th in 2028): still EST, so 05:00Z.
        assertThat(grid.buckets().get(2).end()).isEqualTo(at("2028-03-11T05:00:00Z"));
        assertHalfOpenAndGapless(grid, months);
    }

    @Test
    void eachGranularityRefusesARangeLongerThanItAllows() {
        assertThat(grid("2026-01-01", "2026-01-31", ZoneOffset.UTC, TimeGrid.Granularity.HOUR).buckets()).hasSize(31 * 24);
        assertThatThrownBy(() -> grid("2026-01-01", "2026-02-01", ZoneOffset.UTC, TimeGrid.Granularity.HOUR))
                .isInstanceOf(MeterlineException.class).hasMessageContaining("hour series covers at most 31 days; this range has 32");
        assertThatThrownBy(() -> grid("2026-01-01", "2027-02-05", ZoneOffset.UTC, TimeGrid.Granularity.DAY))
                .isInstanceOf(MeterlineException.class).hasMessageContaining("at most 400 days");
        assertThat(grid("2026-01-01", "2027-02-04", ZoneOffset.UTC, TimeGrid.Granularity.DAY).buckets()).hasSize(400);
    }

    @Test
    void betweenMakesOneBucketPerPairOfEdgesDatedInTheZone() {
        TimeGrid grid = TimeGrid.between(List.of(at("2026-11-09T18:00:00Z"), at("2026-11-09T18:45:00Z"), at("2026-11-10T02:00:00Z")), KOLKATA);
        assertThat(grid.buckets()).containsExactly(
                new TimeGrid.Bucket(at("2026-11-09T18:00:00Z"), at("2026-11-09T18:45:00Z"), LocalDate.parse("2026-11-09")),
                new TimeGrid.Bucket(at("2026-11-09T18:45:00Z"), at("2026-11-10T02:00:00Z"), LocalDate.parse("2026-11-10")));
        assertThat(grid.whole().buckets()).containsExactly(
                new TimeGrid.Bucket(at("2026-11-09T18:00:00Z"), at("2026-11-10T02:00:00Z"), LocalDate.parse("2026-11-09")));
    }

    @Test
    void aKathmanduHourIsReadFromQuarterHoursForTheTotalAndFromTheEventsForADayOnlyDimension() {
        TimeGrid hour = TimeGrid.between(List.of(at("2026-11-10T09:15:00Z"), at("2026-11-10T10:15:00Z")), KATHMANDU);

        TimeGrid.Plan total = hour.plan(Dimension.ALL, KATHMANDU);
        assertThat(total.units().get('D')).isEmpty();
        assertThat(total.units().get('H')).as("10:00Z..11:00Z does not fit in the bucket").isEmpty();
        assertThat(total.units().get('Q')).isEqualTo(Map.of(at("2026-11-10T09:15:00Z"), 0, at("2026-11-10T09:30:00Z"), 0,
                at("2026-11-10T09:45:00Z"), 0, at("2026-11-10T10:00:00Z"), 0));
        assertThat(total.raw()).isEmpty();

        TimeGrid.Plan team = hour.plan(Dimension.TEAM, KATHMANDU);
        assertThat(team.units()).containsOnlyKeys('D');
        assertThat(team.units().get('D')).isEmpty();
        assertThat(team.raw()).containsExactly(new TimeGrid.Window(at("2026-11-10T09:15:00Z"), at("2026-11-10T10:15:00Z"), 0));
    }

    @Test
    void daysOfTheOrganizationsZoneAreDayUnitsEvenWhenTheyLast23Or25Hours() {
        TimeGrid days = grid("2026-10-31", "2026-11-02", TORONTO, TimeGrid.Granularity.DAY);
        TimeGrid.Plan plan = days.plan(Dimension.TEAM, TORONTO);
        assertThat(plan.units().get('D')).isEqualTo(Map.of(at("2026-10-31T04:00:00Z"), 0, at("2026-11-01T04:00:00Z"), 1, at("2026-11-02T05:00:00Z"), 2));
        assertThat(plan.raw()).isEmpty();
    }

    @Test
    void anotherZonesDayIsMadeOfUtcHoursForTheTotalAndOneMergedEventWindowOtherwise() {
        // A viewer in Berlin (UTC+1 in November) reading an organization whose days are UTC days.
        TimeGrid berlinDay = grid("2026-11-10", "2026-11-10", BERLIN, TimeGrid.Granularity.DAY);

        TimeGrid.Plan total = berlinDay.plan(Dimension.ALL, ZoneOffset.UTC);
        assertThat(total.units().get('D')).isEmpty();
        assertThat(total.units().get('H')).hasSize(24).containsKeys(at("2026-11-09T23:00:00Z"), at("2026-11-10T22:00:00Z"));
        assertThat(total.units().get('Q')).isEmpty();
        assertThat(total.raw()).isEmpty();

        TimeGrid.Plan model = berlinDay.plan(Dimension.MODEL, ZoneOffset.UTC);
        assertThat(model.raw()).containsExactly(new TimeGrid.Window(at("2026-11-09T23:00:00Z"), at("2026-11-10T23:00:00Z"), 0));
    }
}
