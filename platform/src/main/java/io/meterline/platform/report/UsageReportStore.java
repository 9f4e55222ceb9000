package io.meterline.platform.report;

import io.meterline.platform.common.jdbc.JdbcWork;
import io.meterline.platform.common.jdbc.SqlStates;
import io.meterline.platform.common.jdbc.TimeColumns;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** The SQL of reports: where an organization's usage starts, and the notices already sent ({@code usage_report_notice}). */
@Singleton
public class UsageReportStore {

    /** What a notice row records. */
    public enum NoticeKind {
        DAILY_SUMMARY, REPORT_COMPLETED
    }

    private final TransactionOperations<Connection> transactions;

    UsageReportStore(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** The first instant of the organization's first local day with usage (its earliest day row of the rollup: one index seek). */
    public Optional<Instant> firstUsageDay(long organizationId) {
        return JdbcWork.read(transactions, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT bucket_start FROM usage_rollup WHERE organization_id = ? AND dimension = 'ALL'"
                    + " AND grain = 'D' ORDER BY bucket_start LIMIT 1")) {
                statement.setLong(1, organizationId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(TimeColumns.fromColumn(rows.getObject(1, LocalDateTime.class))) : Optional.empty();
                }
            }
        });
    }

    /** The organizations that were already sent a notice of this kind for a period starting on or after {@code since}, as {@code organizationId:period}. */
    public Set<String> noticesSince(NoticeKind kind, LocalDate since) {
        return JdbcWork.read(transactions, connection -> {
            Set<String> sent = new HashSet<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT organization_id, period_start FROM usage_report_notice WHERE kind = ? AND period_start >= ?")) {
                statement.setString(1, kind.name());
                statement.setObject(2, since);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        sent.add(rows.getLong(1) + ":" + rows.getObject(2, LocalDate.class));
                    }
                }
            }
            return sent;
        });
    }

    /**
     * Records a notice in the caller's transaction; false, with nothing written, when one is already recorded (by an
     * earlier run or, concurrently, by another instance: the primary key decides, and the loser waits for the winner's commit). The caller writes nothing more then.
     */
    boolean recordNotice(Connection connection, long organizationId, NoticeKind kind, LocalDate period, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO usage_report_notice (organization_id, kind, period_start, sent_at) VALUES (?, ?, ?, ?)")) {
            statement.setLong(1, organizationId);
            statement.setString(2, kind.name());
            statement.setObject(3, period);
            statement.setObject(4, TimeColumns.toColumn(now));
            statement.executeUpdate();
            return true;
        }
        catch (SQLException e) {
            if (SqlStates.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Runs work in a write transaction. */
    <T> T write(JdbcWork<T> work) {
        return JdbcWork.write(transactions, work);
    }
}
