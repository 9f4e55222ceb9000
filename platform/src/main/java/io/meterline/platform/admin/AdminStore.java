package io.meterline.platform.admin;

import io.meterline.platform.usage.TimeBuckets;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads the 15-minute aggregates of many organizations at once, each over its own local months: one
 * statement per table whatever the number of organizations or months, never a scan of usage_event.
 */
@Singleton
class AdminStore {

    private final JdbcOperations jdbc;

    AdminStore(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Buckets from {@code start} (inclusive) to {@code end} (exclusive), counted in slot {@code slot}.
     *
     * @param zone when set, only organizations in this time zone: their local month starts at other
     *             instants than another zone's, so the windows of one month differ per zone
     */
    record Window(int slot, @Nullable String zone, Instant start, Instant end) {
    }

    /** Calls of one provider (and organization, when grouped by organization) in one slot. */
    record CallRow(int slot, long organizationId, String provider, long requests, long errors) {
    }

    /** One meter of one provider (and organization) in one slot and currency; an empty currency holds unpriced quantities. */
    record MeterRow(int slot, long organizationId, String provider, String meter, String currency, BigDecimal quantity, BigDecimal amount) {
    }

    /** The time zones organizations are in: the windows a month needs across every organization. */
    List<String> zones() {
        return jdbc.prepareStatement("SELECT DISTINCT time_zone FROM organization", statement -> {
            List<String> zones = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    zones.add(rows.getString(1));
                }
            }
            return zones;
        });
    }

    /**
     * Calls per slot and provider.
     *
     * @param organizationIds only these organizations; null for all
     * @param perOrganization whether to group by organization too
     */
    List<CallRow> calls(List<Window> windows, @Nullable Collection<Long> organizationIds, boolean perOrganization) {
        return read("usage_bucket", "provider, requests, error_requests", "provider", "SUM(requests), SUM(error_requests)",
                windows, organizationIds, perOrganization, rows -> new CallRow(rows.getInt(1), perOrganization ? rows.getLong(2) : 0,
                        rows.getString(perOrganization ? 3 : 2), rows.getLong(perOrganization ? 4 : 3), rows.getLong(perOrganization ? 5 : 4)));
    }

    /** Meter quantities and amounts per slot, provider, meter and currency; arguments as for {@link #calls}. */
    List<MeterRow> meters(List<Window> windows, @Nullable Collection<Long> organizationIds, boolean perOrganization) {
        int offset = perOrganization ? 1 : 0;
        return read("usage_bucket_meter", "provider, meter, currency, quantity, amount", "provider, meter, currency", "SUM(quantity), SUM(amount)",
                windows, organizationIds, perOrganization, rows -> new MeterRow(rows.getInt(1), perOrganization ? rows.getLong(2) : 0,
                        rows.getString(2 + offset), rows.getString(3 + offset), rows.getString(4 + offset), rows.getBigDecimal(5 + offset), rows.getBigDecimal(6 + offset)));
    }

    private interface RowMapper<T> {
        T map(ResultSet rows) throws SQLException;
    }

    /**
     * One grouped read of an aggregate table. The inner query labels each bucket with the slot of the
     * window holding it (a CASE over the windows, joined to the organization's zone where windows have
     * one); the constant outer bounds let the (organization_id, bucket_start) key range-scan.
     */
    private <T> List<T> read(String table, String columns, String keys, String sums, List<Window> windows, @Nullable Collection<Long> organizationIds,
                             boolean perOrganization, RowMapper<T> mapper) {
        if (windows.isEmpty() || (organizationIds != null && organizationIds.isEmpty())) {
            return List.of();
        }
        boolean zoned = windows.stream().anyMatch(window -> window.zone() != null);
        String condition = windows.stream().map(window -> "(" + (window.zone() != null ? "o.time_zone = ? AND " : "") + "b.bucket_start >= ? AND b.bucket_start < ?)")
                .collect(Collectors.joining(" OR "));
        String slot = windows.stream().allMatch(window -> window.slot() == 0) ? "0" : windows.stream()
                .map(window -> "WHEN (" + (window.zone() != null ? "o.time_zone = ? AND " : "") + "b.bucket_start >= ? AND b.bucket_start < ?) THEN " + window.slot())
                .collect(Collectors.joining(" ", "CASE ", " END"));
        String group = "slot, " + (perOrganization ? "organization_id, " : "") + keys;
        String sql = "SELECT " + group + ", " + sums + " FROM (SELECT " + slot + " AS slot, b.organization_id, " + prefixed(columns)
                + " FROM " + table + " b" + (zoned ? " JOIN organization o ON o.id = b.organization_id" : "")
                + " WHERE b.bucket_start >= ? AND b.bucket_start < ?"
                + (organizationIds == null ? "" : " AND b.organization_id IN (" + String.join(", ", Collections.nCopies(organizationIds.size(), "?")) + ")")
                + " AND (" + condition + ")) slotted GROUP BY " + group;
        return jdbc.prepareStatement(sql, statement -> {
            int column = 1;
            if (!"0".equals(slot)) {
                column = bindWindows(statement, column, windows);
            }
            statement.setObject(column++, TimeBuckets.toColumn(windows.stream().map(Window::start).min(Comparator.naturalOrder()).orElseThrow()));
            statement.setObject(column++, TimeBuckets.toColumn(windows.stream().map(Window::end).max(Comparator.naturalOrder()).orElseThrow()));
            if (organizationIds != null) {
                for (long organizationId : organizationIds) {
                    statement.setLong(column++, organizationId);
                }
            }
            bindWindows(statement, column, windows);
            List<T> result = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    result.add(mapper.map(rows));
                }
            }
            return result;
        });
    }

    private static int bindWindows(PreparedStatement statement, int first, List<Window> windows) throws SQLException {
        int column = first;
        for (Window window : windows) {
            if (window.zone() != null) {
                statement.setString(column++, window.zone());
            }
            statement.setObject(column++, TimeBuckets.toColumn(window.start()));
            statement.setObject(column++, TimeBuckets.toColumn(window.end()));
        }
        return column;
    }

    private static String prefixed(String columns) {
        return Arrays.stream(columns.split(", ")).map(column -> "b." + column).collect(Collectors.joining(", "));
    }
}
