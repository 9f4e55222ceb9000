package io.meterline.platform.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The 15-minute UTC grain: half-open quarters, and every zone's day an exact union of them. */
class TimeBucketsTest {

    @Test
    void anInstantBelongsToTheQuarterHourItFallsInStartInclusiveEndExclusive() {
        assertThat(TimeBuckets.bucketOf(Instant.parse("2026-11-10T12:00:00Z"))).isEqualTo(Instant.parse("2026-11-10T12:00:00Z"));
        assertThat(TimeBuckets.bucketOf(Instant.parse("2026-11-10T12:14:59.999999999Z"))).isEqualTo(Instant.parse("2026-11-10T12:00:00Z"));
        assertThat(TimeBuckets.bucketOf(Instant.parse("2026-11-10T12:15:00Z"))).isEqualTo(Instant.parse("2026-11-10T12:15:00Z"));
        assertThat(TimeBuckets.bucketOf(Instant.parse("2026-11-10T23:59:59Z"))).isEqualTo(Instant.parse("2026-11-10T23:45:00Z"));
        // Before the epoch the quarter still starts at or before the instant (floor, not truncation toward zero).
        assertThat(TimeBuckets.bucketOf(Instant.parse("1969-12-31T23:59:59Z"))).isEqualTo(Instant.parse("1969-12-31T23:45:00Z"));
    }

    @Test
    void localDaysOfQuarterHourZonesStartOnABucketEdge() {
        for (String zone : new String[] {"Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Australia/Eucla"}) {
            Instant start = LocalDate.parse("2026-11-10").atStartOfDay(ZoneId.of(zone)).toInstant();
            assertThat(TimeBuckets.bucketOf(start)).as(zone).isEqualTo(start);
        }
    }

    @Test
    void columnsHoldTheUtcWallTime() {
        Instant instant = Instant.parse("2026-03-08T07:30:00.123456Z");
        assertThat(TimeBuckets.toColumn(instant)).isEqualTo(LocalDateTime.parse("2026-03-08T07:30:00.123456"));
        assertThat(TimeBuckets.fromColumn(TimeBuckets.toColumn(instant))).isEqualTo(instant);
    }
}
