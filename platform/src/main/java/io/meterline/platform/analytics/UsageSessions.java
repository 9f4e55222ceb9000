package io.meterline.platform.analytics;

import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.data.connection.ConnectionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Chats and sessions, read from {@code usage_session} (one row per session, currency and billing currency, kept by the roll-up). */
@Singleton
public class UsageSessions {

    private final ConnectionOperations<Connection> connections;

    UsageSessions(ConnectionOperations<Connection> connections) {
        this.connections = connections;
    }

    /** A chat or session: its first and last call and totals (duration: the calls' own durations added up). */
    public record Session(String key, Instant firstAt, Instant lastAt, Totals totals) {
    }

    /** A page of sessions active in the range, the latest active first, and how many there are. */
    public record Sessions(List<Session> sessions, long totalCount) {
    }

    public Sessions sessions(long organizationId, DayRange days, int first) {
        return AnalyticsJdbc.withConnection(connections, connection -> {
            String where = " FROM usage_session WHERE organization_id = ? AND last_at >= ? AND first_at < ?";
            List<String> keys = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT session_key, MAX(last_at) AS latest" + where
                    + " GROUP BY session_key ORDER BY latest DESC, session_key LIMIT " + first)) {
                bindRange(statement, organizationId, days);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        keys.add(rows.getString(1));
                    }
                }
            }
            long total;
            try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(DISTINCT session_key)" + where)) {
                bindRange(statement, organizationId, days);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    total = rows.getLong(1);
                }
            }
            Map<String, Session> found = sessionsByKey(connection, organizationId, keys);
            return new Sessions(keys.stream().map(found::get).toList(), total);
        });
    }

    public Optional<Session> session(long organizationId, String key) {
        return AnalyticsJdbc.withConnection(connections, connection -> Optional.ofNullable(sessionsByKey(connection, organizationId, List.of(key)).get(key)));
    }

    private static void bindRange(PreparedStatement statement, long organizationId, DayRange days) throws SQLException {
        statement.setLong(1, organizationId);
        statement.setTimestamp(2, Timestamp.valueOf(TimeBuckets.toColumn(days.start())));
        statement.setTimestamp(3, Timestamp.valueOf(TimeBuckets.toColumn(days.end())));
    }

    private static Map<String, Session> sessionsByKey(Connection connection, long organizationId, List<String> keys) throws SQLException {
        Map<String, Session> sessions = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return sessions;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT session_key, currency, billing_currency, first_at, last_at, requests,"
                + " error_requests, tokens, input_tokens, output_tokens, cost, billing_cost, duration_ms FROM usage_session WHERE organization_id = ? AND session_key IN ("
                + String.join(", ", Collections.nCopies(keys.size(), "?")) + ")")) {
            statement.setLong(1, organizationId);
            for (int i = 0; i < keys.size(); i++) {
                statement.setString(2 + i, keys.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Totals totals = AnalyticsJdbc.totals(rows, false);
                    Instant firstAt = TimeBuckets.fromColumn(rows.getTimestamp("first_at").toLocalDateTime());
                    Instant lastAt = TimeBuckets.fromColumn(rows.getTimestamp("last_at").toLocalDateTime());
                    sessions.merge(rows.getString("session_key"), new Session(rows.getString("session_key"), firstAt, lastAt, totals), (one, two) -> {
                        one.totals().add(two.totals());
                        return new Session(one.key(), one.firstAt().isBefore(two.firstAt()) ? one.firstAt() : two.firstAt(),
                                one.lastAt().isAfter(two.lastAt()) ? one.lastAt() : two.lastAt(), one.totals());
                    });
                }
            }
        }
        return sessions;
    }
}
