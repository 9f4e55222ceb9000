package io.meterline.platform.alert;

import static io.meterline.platform.common.jdbc.TimeColumns.fromColumn;
import static io.meterline.platform.common.jdbc.TimeColumns.fromNullableColumn;
import static io.meterline.platform.common.jdbc.TimeColumns.toColumn;

import io.meterline.platform.common.jdbc.JdbcWork;
import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.common.jdbc.SqlStates;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The alert table, in hand-written JDBC: storing an alert locks the organization's counter row, so
 * sequence numbers are unique per organization and commit in increasing order, also across
 * instances; the unique {@code (organization_id, dedupe_key)} stores each crossing once.
 */
@Singleton
public class AlertStore {

    private static final String COLUMNS = "id, organization_id, sequence_number, alert_kind, alert_level, dedupe_key, subject, message, data_json,"
            + " raised_at, acknowledged_at, acknowledged_by";

    private final TransactionOperations<Connection> transactions;

    public AlertStore(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** What to store. */
    public record NewAlert(long organizationId, String kind, AlertLevel level, String dedupeKey, String subject, String message, String data, Instant raisedAt) {
    }

    /**
     * Stores an alert unless its dedupe key is already stored.
     *
     * @return the stored alert, or empty when it was a duplicate
     */
    public Optional<Alert> insertOnce(NewAlert alert, Consumer<Alert> alsoInTransaction) {
        // The counter row is created in a transaction of its own: creating it inside the locking
        // transaction lets concurrent first alerts deadlock on the duplicate's shared lock.
        write(connection -> update(connection,
                "INSERT IGNORE INTO alert_sequence (organization_id, last_sequence) VALUES (?, 0)", alert.organizationId()));
        try {
            return write(connection -> {
                Optional<Alert> stored = insertLocked(connection, alert);
                stored.ifPresent(alsoInTransaction);
                return stored;
            });
        }
        catch (RuntimeException e) {
            if (SqlStates.isDuplicateKey(e)) {
                // Another instance stored the same crossing between our check and our insert.
                return Optional.empty();
            }
            throw e;
        }
    }

    private Optional<Alert> insertLocked(Connection connection, NewAlert alert) throws SQLException {
        long last;
        try (PreparedStatement statement = connection.prepareStatement("SELECT last_sequence FROM alert_sequence WHERE organization_id = ? FOR UPDATE")) {
            statement.setLong(1, alert.organizationId());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                last = rows.getLong(1);
            }
        }
        // A locking read, so it sees what an earlier holder of the counter lock committed.
        try (PreparedStatement statement = connection.prepareStatement("SELECT id FROM alert WHERE organization_id = ? AND dedupe_key = ? FOR UPDATE")) {
            statement.setLong(1, alert.organizationId());
            statement.setString(2, alert.dedupeKey());
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    return Optional.empty();
                }
            }
        }
        long sequence = last + 1;
        update(connection, "UPDATE alert_sequence SET last_sequence = ? WHERE organization_id = ?", sequence, alert.organizationId());
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO alert (organization_id, sequence_number, alert_kind, alert_level, dedupe_key,"
                + " subject, message, data_json, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            statement.setLong(1, alert.organizationId());
            statement.setLong(2, sequence);
            statement.setString(3, alert.kind());
            statement.setString(4, alert.level().name());
            statement.setString(5, alert.dedupeKey());
            statement.setString(6, alert.subject());
            statement.setString(7, alert.message());
            statement.setString(8, alert.data());
            statement.setObject(9, toColumn(alert.raisedAt()));
            statement.executeUpdate();
            try (ResultSet keys = statement.getGeneratedKeys()) {
                keys.next();
                return Optional.of(new Alert(keys.getLong(1), alert.organizationId(), sequence, alert.kind(), alert.level(), alert.dedupeKey(), alert.subject(),
                        alert.message(), alert.data(), alert.raisedAt(), null, null));
            }
        }
    }

    public Optional<Alert> find(long id) {
        List<Alert> found = select("SELECT " + COLUMNS + " FROM alert WHERE id = ?", List.of(id));
        return found.stream().findFirst();
    }

    /** Filters of an alert list. */
    public record Filter(AlertStatus status, @Nullable Collection<String> kinds, @Nullable Collection<AlertLevel> levels, @Nullable Long afterSequence) {
    }

    /** A page of an organization's alerts (of all when null), newest first, with ids below {@code beforeId}. */
    public List<Alert> page(@Nullable Long organizationId, Filter filter, long beforeId, int limit) {
        List<Object> parameters = new ArrayList<>();
        String where = where(organizationId, filter, parameters);
        parameters.add(beforeId);
        parameters.add(limit);
        return select("SELECT " + COLUMNS + " FROM alert WHERE " + where + " AND id < ? ORDER BY id DESC LIMIT ?", parameters);
    }

    public long count(@Nullable Long organizationId, Filter filter) {
        List<Object> parameters = new ArrayList<>();
        String where = where(organizationId, filter, parameters);
        return read(connection -> {
            try (PreparedStatement statement = prepare(connection, "SELECT COUNT(*) FROM alert WHERE " + where, parameters);
                 ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    /** Active alerts of one organization, or of all when null. */
    public long activeCount(@Nullable Long organizationId) {
        List<Object> parameters = organizationId == null ? List.of() : List.of(organizationId);
        String sql = "SELECT COUNT(*) FROM alert WHERE acknowledged_at IS NULL" + (organizationId == null ? "" : " AND organization_id = ?");
        return read(connection -> {
            try (PreparedStatement statement = prepare(connection, sql, parameters);
                 ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    /** An organization's alerts with a higher sequence, in sequence order: what a reconnecting subscriber missed. */
    public List<Alert> afterSequence(long organizationId, long afterSequence) {
        return select("SELECT " + COLUMNS + " FROM alert WHERE organization_id = ? AND sequence_number > ? ORDER BY sequence_number", List.of(organizationId, afterSequence));
    }

    /**
     * Marks an alert acknowledged unless it already is.
     *
     * @return whether this call acknowledged it
     */
    public boolean acknowledge(long id, long userId, Instant at) {
        return write(connection -> update(connection,
                "UPDATE alert SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL", toColumn(at), userId, id)) == 1;
    }

    private static String where(@Nullable Long organizationId, Filter filter, List<Object> parameters) {
        StringBuilder where = new StringBuilder(organizationId == null ? "1 = 1" : "organization_id = ?");
        if (organizationId != null) {
            parameters.add(organizationId);
        }
        if (filter.status() == AlertStatus.ACTIVE) {
            where.append(" AND acknowledged_at IS NULL");
        }
        else if (filter.status() == AlertStatus.ACKNOWLEDGED) {
            where.append(" AND acknowledged_at IS NOT NULL");
        }
        if (filter.kinds() != null) {
            where.append(in("alert_kind", filter.kinds().size()));
            parameters.addAll(filter.kinds());
        }
        if (filter.levels() != null) {
            where.append(in("alert_level", filter.levels().size()));
            filter.levels().forEach(level -> parameters.add(level.name()));
        }
        if (filter.afterSequence() != null) {
            where.append(" AND sequence_number > ?");
            parameters.add(filter.afterSequence());
        }
        return where.toString();
    }

    /** An IN list; an empty list matches nothing, as the client asked for no kind at all. */
    private static String in(String column, int size) {
        if (size == 0) {
            return " AND 1 = 0";
        }
        return " AND " + column + " IN (" + Placeholders.in(size) + ")";
    }

    private List<Alert> select(String sql, List<Object> parameters) {
        return read(connection -> {
            try (PreparedStatement statement = prepare(connection, sql, parameters);
                 ResultSet rows = statement.executeQuery()) {
                List<Alert> alerts = new ArrayList<>();
                while (rows.next()) {
                    alerts.add(alert(rows));
                }
                return alerts;
            }
        });
    }

    private static Alert alert(ResultSet rows) throws SQLException {
        long acknowledgedBy = rows.getLong("acknowledged_by");
        Long acknowledgedByUser = rows.wasNull() ? null : acknowledgedBy;
        return new Alert(rows.getLong("id"), rows.getLong("organization_id"), rows.getLong("sequence_number"), rows.getString("alert_kind"),
                AlertLevel.valueOf(rows.getString("alert_level")), rows.getString("dedupe_key"), rows.getString("subject"), rows.getString("message"),
                rows.getString("data_json"), fromColumn(rows.getObject("raised_at", LocalDateTime.class)),
                fromNullableColumn(rows.getObject("acknowledged_at", LocalDateTime.class)), acknowledgedByUser);
    }

    private static PreparedStatement prepare(Connection connection, String sql, List<Object> parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.size(); i++) {
            statement.setObject(i + 1, parameters.get(i));
        }
        return statement;
    }

    private static int update(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, List.of(parameters))) {
            return statement.executeUpdate();
        }
    }

    /** JDBC work that may throw SQLException. */
    private <T> T write(JdbcWork<T> work) {
        return JdbcWork.write(transactions, work);
    }

    private <T> T read(JdbcWork<T> work) {
        return JdbcWork.read(transactions, work);
    }
}
