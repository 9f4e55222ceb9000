package io.meterline.platform.budget;

import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.common.jdbc.TimeColumns;
import io.meterline.platform.common.jdbc.Upsert;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Hand-written JDBC for the hot paths: counters (added to per ingestion batch), reservations and
 * the row locks of authorization. Runs on the caller's connection, inside the caller's transaction.
 */
@Singleton
public class BudgetStore {

    private static final Upsert COUNTER = Upsert.into("budget_counter", "budget_id", "period_start", "consumed").add("consumed").build();

    /**
     * One budget's one period.
     *
     * @param budgetId the budget
     * @param periodStart the period's first instant
     */
    public record CounterKey(long budgetId, Instant periodStart) {
        /** The lock order: by budget id, then period. */
        static final Comparator<CounterKey> ORDER = Comparator.comparingLong(CounterKey::budgetId).thenComparing(CounterKey::periodStart);
    }

    /** A budget's colour band. */
    public record Band(String name, int fromPercent) {
    }

    /** The active budgets of an organization, read on the ingestion connection once per batch. */
    List<Budget> activeBudgets(Connection connection, long organizationId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT id, organization_id, name, metric, provider, meter, scope_kind, scope_key,"
                + " period_kind, limit_amount, thresholds, enforcement, budget_type, currency, archived, created_at FROM budget"
                + " WHERE organization_id = ? AND archived = FALSE ORDER BY id")) {
            statement.setLong(1, organizationId);
            List<Budget> budgets = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    budgets.add(new Budget(rows.getLong(1), rows.getLong(2), rows.getString(3), Budget.Metric.valueOf(rows.getString(4)),
                            rows.getString(5), rows.getString(6), Budget.Scope.valueOf(rows.getString(7)), rows.getString(8),
                            Budget.Period.valueOf(rows.getString(9)), rows.getBigDecimal(10), rows.getString(11),
                            Budget.Enforcement.valueOf(rows.getString(12)), Budget.Type.valueOf(rows.getString(13)), rows.getString(14),
                            rows.getBoolean(15), TimeColumns.fromColumn(rows.getObject(16, java.time.LocalDateTime.class))));
                }
            }
            return budgets;
        }
    }

    /** The organization's active API keys' row ids. */
    Set<Long> activeApiKeyIds(Connection connection, long organizationId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT id FROM api_key WHERE organization_id = ? AND status = 'ACTIVE'")) {
            statement.setLong(1, organizationId);
            Set<Long> ids = new HashSet<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
            return ids;
        }
    }

    @Nullable
    String timeZone(Connection connection, long organizationId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT time_zone FROM organization WHERE id = ?")) {
            statement.setLong(1, organizationId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    /**
     * Adds deltas to counters, in key order so concurrent batches lock rows in the same order, and
     * returns the counters' values after the addition, read under the rows' locks.
     */
    Map<CounterKey, BigDecimal> add(Connection connection, SortedMap<CounterKey, BigDecimal> deltas) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(COUNTER.sql(connection))) {
            for (Map.Entry<CounterKey, BigDecimal> entry : deltas.entrySet()) {
                statement.setLong(1, entry.getKey().budgetId());
                statement.setObject(2, TimeColumns.toColumn(entry.getKey().periodStart()));
                statement.setBigDecimal(3, entry.getValue());
                statement.addBatch();
            }
            statement.executeBatch();
        }
        return consumed(connection, deltas.keySet(), true);
    }

    /**
     * The consumption of the given counters; missing counters are left out. A locking read sees the
     * latest committed values, not the transaction's snapshot (MariaDB's REPEATABLE READ).
     */
    Map<CounterKey, BigDecimal> consumed(Connection connection, Collection<CounterKey> keys, boolean locking) throws SQLException {
        Map<CounterKey, BigDecimal> values = new HashMap<>();
        if (keys.isEmpty()) {
            return values;
        }
        List<Long> budgetIds = keys.stream().map(CounterKey::budgetId).distinct().toList();
        List<Instant> starts = keys.stream().map(CounterKey::periodStart).distinct().toList();
        String sql = "SELECT budget_id, period_start, consumed FROM budget_counter WHERE budget_id IN (" + Placeholders.in(budgetIds.size())
                + ") AND period_start IN (" + Placeholders.in(starts.size()) + ")" + (locking ? " FOR UPDATE" : "");
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = Placeholders.bind(statement, 1, budgetIds);
            for (Instant start : starts) {
                statement.setObject(index++, TimeColumns.toColumn(start));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    CounterKey key = new CounterKey(rows.getLong(1), TimeColumns.fromColumn(rows.getObject(2, java.time.LocalDateTime.class)));
                    if (keys.contains(key)) {
                        values.put(key, rows.getBigDecimal(3));
                    }
                }
            }
        }
        return values;
    }

    /** What unexpired reservations hold against the given counters. */
    Map<CounterKey, BigDecimal> reserved(Connection connection, Collection<CounterKey> keys, Instant now) throws SQLException {
        Map<CounterKey, BigDecimal> values = new HashMap<>();
        if (keys.isEmpty()) {
            return values;
        }
        List<Long> budgetIds = keys.stream().map(CounterKey::budgetId).distinct().toList();
        String sql = "SELECT budget_id, period_start, SUM(amount) FROM budget_reservation WHERE budget_id IN (" + Placeholders.in(budgetIds.size())
                + ") AND expires_at > ? GROUP BY budget_id, period_start";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = Placeholders.bind(statement, 1, budgetIds);
            statement.setObject(index, TimeColumns.toColumn(now));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    CounterKey key = new CounterKey(rows.getLong(1), TimeColumns.fromColumn(rows.getObject(2, java.time.LocalDateTime.class)));
                    if (keys.contains(key)) {
                        values.put(key, rows.getBigDecimal(3));
                    }
                }
            }
        }
        return values;
    }

    /**
     * Locks one budget period's counter row, creating it when absent, and answers its consumption;
     * the lock is held until the transaction ends.
     */
    BigDecimal lock(Connection connection, CounterKey key) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO budget_counter (budget_id, period_start, consumed) VALUES (?, ?, 0)"
                + " ON DUPLICATE KEY UPDATE consumed = consumed")) {
            insert.setLong(1, key.budgetId());
            insert.setObject(2, TimeColumns.toColumn(key.periodStart()));
            insert.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT consumed FROM budget_counter WHERE budget_id = ? AND period_start = ? FOR UPDATE")) {
            select.setLong(1, key.budgetId());
            select.setObject(2, TimeColumns.toColumn(key.periodStart()));
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getBigDecimal(1);
            }
        }
    }

    /**
     * Drops a locked period's expired holds, then sums the rest with a locking read: a plain read
     * would see the transaction's snapshot, taken before this transaction waited for the counter
     * lock, and miss holds committed meanwhile.
     */
    BigDecimal activeHolds(Connection connection, CounterKey key, Instant now) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM budget_reservation WHERE budget_id = ? AND period_start = ? AND expires_at <= ?")) {
            delete.setLong(1, key.budgetId());
            delete.setObject(2, TimeColumns.toColumn(key.periodStart()));
            delete.setObject(3, TimeColumns.toColumn(now));
            delete.executeUpdate();
        }
        // A plain read: the caller runs READ COMMITTED and already holds this counter's lock, so every
        // hold committed by an earlier holder is visible without locking each hold row.
        try (PreparedStatement select = connection.prepareStatement("SELECT COALESCE(SUM(amount), 0) FROM budget_reservation WHERE budget_id = ? AND period_start = ?")) {
            select.setLong(1, key.budgetId());
            select.setObject(2, TimeColumns.toColumn(key.periodStart()));
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getBigDecimal(1).setScale(io.meterline.platform.common.Money.AMOUNT_SCALE);
            }
        }
    }

    void hold(Connection connection, String reservationId, long organizationId, Map<CounterKey, BigDecimal> amounts, Instant expiresAt) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO budget_reservation (reservation_id, budget_id, organization_id, period_start,"
                + " amount, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (Map.Entry<CounterKey, BigDecimal> entry : amounts.entrySet()) {
                insert.setString(1, reservationId);
                insert.setLong(2, entry.getKey().budgetId());
                insert.setLong(3, organizationId);
                insert.setObject(4, TimeColumns.toColumn(entry.getKey().periodStart()));
                insert.setBigDecimal(5, entry.getValue());
                insert.setObject(6, TimeColumns.toColumn(expiresAt));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Releases the holds of reservations whose calls were recorded. */
    void settle(Connection connection, long organizationId, Collection<String> reservationIds) throws SQLException {
        if (reservationIds.isEmpty()) {
            return;
        }
        List<String> sorted = reservationIds.stream().distinct().sorted().toList();
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM budget_reservation WHERE organization_id = ? AND reservation_id IN ("
                + Placeholders.in(sorted.size()) + ")")) {
            delete.setLong(1, organizationId);
            Placeholders.bind(delete, 2, sorted);
            delete.executeUpdate();
        }
    }

    List<Band> bands(Connection connection, long organizationId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT name, from_percent FROM budget_band WHERE organization_id = ? ORDER BY band_order")) {
            statement.setLong(1, organizationId);
            List<Band> bands = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    bands.add(new Band(rows.getString(1), rows.getInt(2)));
                }
            }
            return bands;
        }
    }

    void replaceBands(Connection connection, long organizationId, List<Band> bands) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM budget_band WHERE organization_id = ?")) {
            delete.setLong(1, organizationId);
            delete.executeUpdate();
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO budget_band (organization_id, band_order, name, from_percent) VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < bands.size(); i++) {
                insert.setLong(1, organizationId);
                insert.setInt(2, i);
                insert.setString(3, bands.get(i).name());
                insert.setInt(4, bands.get(i).fromPercent());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

}
