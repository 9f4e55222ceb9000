package io.meterline.platform.time;

import io.meterline.platform.common.jdbc.TimeColumns;
import java.time.Instant;
import java.time.LocalDateTime;

/**
 * The aggregate grain: 15 minutes of UTC. Every IANA zone's offset is a whole number of quarter
 * hours (+05:30, +05:45 and +12:45 included), so any local day, week or month is an exact union of
 * buckets and can be re-read in any zone without touching raw events.
 */
public final class TimeBuckets {

    static final long BUCKET_SECONDS = 15 * 60;

    private TimeBuckets() {
    }

    /** The start of the bucket holding an instant. */
    public static Instant bucketOf(Instant instant) {
        return Instant.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), BUCKET_SECONDS) * BUCKET_SECONDS);
    }

    /** An instant as the UTC wall time stored in DATETIME columns ({@link TimeColumns}, the one place). */
    public static LocalDateTime toColumn(Instant instant) {
        return TimeColumns.toColumn(instant);
    }

    public static Instant fromColumn(LocalDateTime value) {
        return TimeColumns.fromColumn(value);
    }
}
