package io.meterline.platform.common.jdbc;

import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Instants as the UTC wall time stored in DATETIME(6) columns: the one time binding every store
 * uses (bind the {@link LocalDateTime} with {@code setObject}, read it with
 * {@code getObject(column, LocalDateTime.class)}), so no store keeps its own copy. Dates
 * ({@link java.time.LocalDate}) bind as they are. Lives in {@code common} so every feature (fx
 * included, which usage depends on) reads and writes time columns the same way.
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

    /** {@link #toColumn(Instant)} for a nullable column. */
    @Nullable
    public static LocalDateTime toNullableColumn(@Nullable Instant instant) {
        return instant == null ? null : toColumn(instant);
    }

    /** {@link #fromColumn(LocalDateTime)} for a nullable column. */
    @Nullable
    public static Instant fromNullableColumn(@Nullable LocalDateTime value) {
        return value == null ? null : fromColumn(value);
    }
}
