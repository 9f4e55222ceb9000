package io.meterline.platform.common;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Instants as the UTC wall time stored in DATETIME(6) columns. Lives in {@code common} so every
 * feature (fx included, which usage will depend on) reads and writes time columns the same way
 * without importing {@code usage}.
 */
public final class TimeColumns {

    private TimeColumns() {
    }

    /** An instant as the UTC wall time stored in DATETIME columns. */
    public static LocalDateTime toColumn(Instant instant) {
        return LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
    }

    public static Instant fromColumn(LocalDateTime value) {
        return value.toInstant(ZoneOffset.UTC);
    }
}
