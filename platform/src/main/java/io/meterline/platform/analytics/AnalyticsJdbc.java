package io.meterline.platform.analytics;

import io.micronaut.data.connection.ConnectionDefinition;
import io.micronaut.data.connection.ConnectionOperations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What the analytics reads share ({@link AnalyticsService}, {@link EventTotals}, {@link UsageSessions}, {@link HoursOfWeek}): a
 * connection of their own, the row sink of a read of many grids, and a {@code usage_rollup} or {@code usage_session} row's measures.
 */
final class AnalyticsJdbc {

    private AnalyticsJdbc() {
    }

    /** A row of one target's bucket: {@code target} is the index of the organization's grid in the read. */
    interface RowSink {
        void add(int target, int bucketIndex, String value, Totals row);
    }

    /** One organization's buckets, in a read of many organizations at once. */
    record Target(long organizationId, TimeGrid grid) {
    }

    interface SqlWork<R> {
        R apply(Connection connection) throws SQLException;
    }

    /** Reads work, on a connection of its own (no transaction: every read here is of committed rows only). */
    static <R> R withConnection(ConnectionOperations<Connection> connections, SqlWork<R> work) {
        return connections.execute(ConnectionDefinition.DEFAULT, status -> {
            try {
                return work.apply(status.getConnection());
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading usage analytics failed", e);
            }
        });
    }

    /** A {@code usage_rollup} row's measures, or a {@code usage_session} row's (which keeps no characters, minutes or images). */
    static Totals totals(ResultSet rows, boolean units) throws SQLException {
        Totals totals = new Totals();
        totals.requests = rows.getLong("requests");
        totals.errorRequests = rows.getLong("error_requests");
        totals.tokens = rows.getBigDecimal("tokens");
        totals.inputTokens = rows.getBigDecimal("input_tokens");
        totals.outputTokens = rows.getBigDecimal("output_tokens");
        if (units) {
            totals.characters = rows.getBigDecimal("characters");
            totals.minutes = rows.getBigDecimal("minutes");
            totals.images = rows.getBigDecimal("images");
        }
        String currency = rows.getString("currency");
        String billingCurrency = rows.getString("billing_currency");
        totals.addCost(currency, rows.getBigDecimal("cost"));
        totals.addBillingCost(billingCurrency, rows.getBigDecimal("billing_cost"));
        // A priced row without a billing currency holds the calls still waiting for an exchange rate.
        totals.unconvertedRequests = !currency.isEmpty() && billingCurrency.isEmpty() ? totals.requests : 0;
        totals.durationMs = rows.getLong("duration_ms");
        return totals;
    }
}
