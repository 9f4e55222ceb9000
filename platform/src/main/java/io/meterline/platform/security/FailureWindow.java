package io.meterline.platform.security;

import io.meterline.platform.common.jdbc.TimeColumns;
import io.micronaut.core.annotation.Nullable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one sign-in throttle mechanism: failed attempts counted over a sliding window in a database table, so every
 * instance behind a load balancer counts the same ones. Email sign-in ({@link SignInThrottle}, table
 * {@code sign_in_failure}) and Account ID sign-in ({@code accountid.AccountIdSignIn}, table
 * {@code account_id_sign_in_attempt}) each keep their own table, keys and limits, and share this code.
 *
 * <p>Each row is one failure: a key (what was tried: a hashed email, an organization and code), the client address,
 * and when. A failure counts while it is younger than the window and is deleted by the next failure after that, so a
 * table holds one window of failures at most; throttled attempts are not stored, so an attacker adds a bounded number
 * of rows. Two instances checking at the same moment may each let one more attempt through than the limit: the limit
 * is a brake on guessing, not an exact quota, so no lock is taken. The caller runs each method in its transaction.
 */
public final class FailureWindow {

    /** Where failures are stored: the table and its key, client address and time (DATETIME) columns. */
    public record Table(String name, String keyColumn, String addressColumn, String timeColumn) {
    }

    private final Table table;
    private final Duration window;

    public FailureWindow(Table table, Duration window) {
        this.table = table;
        this.window = window;
    }

    /** How long a failure counts. */
    public Duration window() {
        return window;
    }

    /**
     * Whether the limit is reached for the failures matching {@code key} and {@code address} (null matches any) within
     * the window, and then the wait until the oldest of the last {@code limit} of them leaves it (at least a second).
     */
    public Optional<Duration> retryAfter(Connection connection, @Nullable String key, @Nullable String address, int limit, Instant now)
            throws SQLException {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ").append(table.timeColumn()).append(" FROM ").append(table.name()).append(" WHERE ");
        if (key != null) {
            sql.append(table.keyColumn()).append(" = ? AND ");
            parameters.add(key);
        }
        if (address != null) {
            sql.append(table.addressColumn()).append(" = ? AND ");
            parameters.add(address);
        }
        sql.append(table.timeColumn()).append(" > ? ORDER BY ").append(table.timeColumn()).append(" DESC LIMIT ?");
        parameters.add(TimeColumns.toColumn(now.minus(window)));
        parameters.add(limit);
        List<Instant> recent = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    recent.add(TimeColumns.fromColumn(rows.getObject(1, LocalDateTime.class)));
                }
            }
        }
        if (recent.size() < limit) {
            return Optional.empty();
        }
        Duration wait = Duration.between(now, recent.get(limit - 1).plus(window));
        return Optional.of(wait.isNegative() ? Duration.ofSeconds(1) : wait);
    }

    /** Counts a failure, and deletes the failures that no longer count. */
    public void recordFailure(Connection connection, String key, String address, Instant now) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table.name() + " WHERE " + table.timeColumn() + " <= ?")) {
            delete.setObject(1, TimeColumns.toColumn(now.minus(window)));
            delete.executeUpdate();
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table.name() + " (" + table.keyColumn() + ", "
                + table.addressColumn() + ", " + table.timeColumn() + ") VALUES (?, ?, ?)")) {
            insert.setString(1, key);
            insert.setString(2, address);
            insert.setObject(3, TimeColumns.toColumn(now));
            insert.executeUpdate();
        }
    }

    /** Forgets a key's failures (not its addresses' other failures). */
    public void forgive(Connection connection, String key) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table.name() + " WHERE " + table.keyColumn() + " = ?")) {
            delete.setString(1, key);
            delete.executeUpdate();
        }
    }
}
