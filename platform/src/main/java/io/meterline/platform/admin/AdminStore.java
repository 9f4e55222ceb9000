package io.meterline.platform.admin;

import io.meterline.platform.usage.TimeBuckets;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
     * Buckets of some organizations from {@code start} (inclusive) to {@code end} (exclusive),
     * counted in slot {@code slot}. Organizations in different time zones need windows of their own:
     * their local months start at different instants.
     */
    record Window(int slot, Collection<Long> organizationIds, Instant start, Instant end) {
    }

    /** Calls of one provider (and organization, when grouped by organization) in one slot. */
    record CallRow(int slot, long organizationId, String provider, long requests, long errors) {
    }

    /** One meter of one provider (and organization) in one slot and currency; an empty currency holds unpriced quantities. */
    record MeterRow(int slot, long organizationId, String provider, String meter, String currency, BigDecimal quantity, BigDecimal amount) {
    }

    /** Every organization's id, by time zone. */
    Map<String, List<Long>> organizationsByZone() {
        return jdbc.prepareStatement("SELECT id, time_zone FROM organization ORDER BY id", statement -> {
            Map<String, List<Long>> zones = new TreeMap<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    zones.computeIfAbsent(rows.getString(2), zone -> new ArrayList<>()).add(rows.getLong(1));
                }
            }
            return zones;
        });
    }

    /** Calls per slot and provider, and per organization when asked. */
    List<CallRow> calls(List<Window> windows, boolean perOrganization) {
        int offset = perOrganization ? 1 : 0;
        return read("usage_bucket", "provider, requests, error_requests", "provider", "SUM(requests), SUM(error_requests)", windows, perOrganization,
                rows -> new CallRow(rows.getInt(1), perOrganization ? rows.getLong(2) : 0, rows.getString(2 + offset), rows.getLong(3 + offset), rows.getLong(4 + offset)));
    }

    /** Meter quantities and amounts per slot, provider, meter and currency, and per organization when asked. */
    List<MeterRow> meters(List<Window> windows, boolean perOrganization) {
        int offset = perOrganization ? 1 : 0;
        return read("usage_bucket_meter", "provider, meter, currency, quantity, amount", "provider, meter, currency", "SUM(quantity), SUM(amount)",
                windows, perOrganization, rows -> new MeterRow(rows.getInt(1), perOrganization ? rows.getLong(2) : 0,
                        rows.getString(2 + offset), rows.getString(3 + offset), rows.getString(4 + offset), rows.getBigDecimal(5 + offset), rows.getBigDecimal(6 + offset)));
    }

    private interface RowMapper<T> {
        T map(ResultSet rows) throws SQLException;
    }

    /**
     * One grouped read of an aggregate table. Each window is {@code organization_id IN (...) AND
     * bucket_start} in a range, so MariaDB range-scans the (organization_id, bucket_start) key and
     * reads exactly the buckets of the windows (a join to organization would read each organization's
     * whole history); the inner query labels each bucket with its window's slot.
     */
    private <T> List<T> read(String table, String columns, String keys, String sums, List<Window> windows, boolean perOrganization, RowMapper<T> mapper) {
        List<Window> used = windows.stream().filter(window -> !window.organizationIds().isEmpty()).toList();
        if (used.isEmpty()) {
            return List.of();
        }
        List<String> conditions = used.stream().map(window -> "(b.organization_id IN (" + String.join(", ", Collections.nCopies(window.organizationIds().size(), "?"))
                + ") AND b.bucket_start >= ? AND b.bucket_start < ?)").toList();
        boolean slotted = used.stream().anyMatch(window -> window.slot() != 0);
        StringBuilder slot = new StringBuilder(slotted ? "CASE" : "0");
        if (slotted) {
            for (int i = 0; i < used.size(); i++) {
                slot.append(" WHEN ").append(conditions.get(i)).append(" THEN ").append(used.get(i).slot());
            }
            slot.append(" END");
        }
        String group = "slot, " + (perOrganization ? "organization_id, " : "") + keys;
        String sql = "SELECT " + group + ", " + sums + " FROM (SELECT " + slot + " AS slot, b.organization_id, " + prefixed(columns)
                + " FROM " + table + " b WHERE " + String.join(" OR ", conditions) + ") slotted GROUP BY " + group;
        return jdbc.prepareStatement(sql, statement -> {
            int column = 1;
            if (slotted) {
                column = bindWindows(statement, column, used);
            }
            bindWindows(statement, column, used);
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
            for (long organizationId : window.organizationIds()) {
                statement.setLong(column++, organizationId);
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
