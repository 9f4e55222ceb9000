package io.meterline.platform.usage;

import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads stored events, newest first, for the API's event list (seed 002's usage history) and node
 * lookups. A page costs a fixed number of statements whatever its size: the page, its count, and
 * (with a key filter) one look-up of the matching keys.
 */
@Singleton
public class UsageQueries {

    private final JdbcOperations jdbc;
    private final UsageStore store;

    UsageQueries(JdbcOperations jdbc, UsageStore store) {
        this.jdbc = jdbc;
        this.store = store;
    }

    /** Whether a call ended well: {@code ok}, or any error code. */
    public enum StatusFilter {
        OK, ERROR
    }

    /**
     * Filters of the event list; null means "any".
     *
     * @param start the first instant, inclusive
     * @param end the instant after the last, exclusive
     * @param apiKeyIds the API keys the events were recorded with (resolved from a label or prefix)
     * @param accountId the Account ID code
     */
    public record Filter(@Nullable String provider, @Nullable String model, boolean unpricedOnly, @Nullable Instant start, @Nullable Instant end,
                         @Nullable List<Long> apiKeyIds, @Nullable String mode, @Nullable StatusFilter status, @Nullable String accountId) {
    }

    @Transactional(readOnly = true)
    public Optional<UsageEventView> find(long id) {
        return jdbc.prepareStatement("SELECT " + UsageStore.EVENT_COLUMNS + " FROM usage_event WHERE id = ?", statement -> {
            statement.setLong(1, id);
            List<UsageEventView> found = read(statement);
            return found.stream().findFirst();
        });
    }

    /**
     * The organization's API keys whose label is {@code text} (ignoring case) or whose prefix starts
     * with it: what the "token name" search of seed 002 matches.
     *
     * @throws MeterlineException NOT_FOUND when no key of the organization matches
     */
    @Transactional(readOnly = true)
    public List<Long> apiKeysMatching(long organizationId, String text) {
        String escaped = text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
        List<Long> ids = jdbc.prepareStatement("SELECT id FROM api_key WHERE organization_id = ? AND (LOWER(label) = ? OR prefix LIKE ? ESCAPE '!')", statement -> {
            statement.setLong(1, organizationId);
            statement.setString(2, text.toLowerCase(Locale.ROOT));
            statement.setString(3, escaped + "%");
            List<Long> found = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getLong(1));
                }
            }
            return found;
        });
        if (ids.isEmpty()) {
            throw MeterlineException.notFound("API key " + text);
        }
        return ids;
    }

    /**
     * A page of the list, newest first by the time the calls happened (a late event takes its place in
     * time, not in arrival order), ties broken by row id; walks the (organization_id, occurred_at) index
     * backwards from {@code before}.
     */
    @Transactional(readOnly = true)
    public List<UsageEventView> page(long organizationId, Connection.Position before, Filter filter, int limit) {
        return jdbc.prepareStatement("SELECT " + UsageStore.EVENT_COLUMNS + " FROM usage_event" + where(filter)
                + " AND occurred_at <= ? AND (occurred_at < ? OR id < ?) ORDER BY occurred_at DESC, id DESC LIMIT ?", statement -> {
            int next = bind(statement, organizationId, filter);
            LocalDateTime at = TimeBuckets.toColumn(Instant.EPOCH.plus(before.value(), ChronoUnit.MICROS));
            statement.setObject(next, at);
            statement.setObject(next + 1, at);
            statement.setLong(next + 2, before.id());
            statement.setInt(next + 3, limit);
            return read(statement);
        });
    }

    /** Where an event stands in {@link #page}'s order. */
    public static Connection.Position positionOf(UsageEventView event) {
        return new Connection.Position(micros(event.timestamp()), event.id());
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    /** Before every event: the start of a first page. */
    public static final Connection.Position NEWEST = new Connection.Position(micros(Instant.parse("9999-12-31T00:00:00Z")), Long.MAX_VALUE);

    /**
     * The latest events of every organization, by the time they happened (newest first), of the
     * given providers. Each provider's share is read backwards along the (provider, occurred_at)
     * index and only {@code limit} rows of each are merged, so the answer costs the same for a
     * thousand events as for a hundred million.
     */
    @Transactional(readOnly = true)
    public List<UsageEventView> latest(Collection<String> providers, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
        if (providers.isEmpty()) {
            return List.of();
        }
        // The limit is written into the text: H2 reuses a cached plan's LIMIT parameter inside UNION members.
        String perProvider = "(SELECT " + UsageStore.EVENT_COLUMNS + " FROM usage_event WHERE provider = ? ORDER BY occurred_at DESC, id DESC LIMIT " + limit + ")";
        String sql = "SELECT * FROM (" + String.join(" UNION ALL ", Collections.nCopies(providers.size(), perProvider))
                + ") latest ORDER BY occurred_at DESC, id DESC LIMIT " + limit;
        return jdbc.prepareStatement(sql, statement -> {
            int column = 1;
            for (String provider : providers) {
                statement.setString(column++, provider);
            }
            return read(statement);
        });
    }

    @Transactional(readOnly = true)
    public long count(long organizationId, Filter filter) {
        return jdbc.prepareStatement("SELECT COUNT(*) FROM usage_event" + where(filter), statement -> {
            bind(statement, organizationId, filter);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    /** The WHERE clause of the list's filters, the organization's first: the one place they are written (usage exports share it). */
    public static String where(Filter filter) {
        StringBuilder where = new StringBuilder(" WHERE organization_id = ?");
        where.append(filter.provider() != null ? " AND provider = ?" : "");
        where.append(filter.model() != null ? " AND model = ?" : "");
        where.append(filter.unpricedOnly() ? " AND priced = FALSE" : "");
        where.append(filter.start() != null ? " AND occurred_at >= ?" : "");
        where.append(filter.end() != null ? " AND occurred_at < ?" : "");
        if (filter.apiKeyIds() != null) {
            where.append(" AND api_key_id IN (").append(Placeholders.in(filter.apiKeyIds())).append(")");
        }
        where.append(filter.mode() != null ? " AND mode = ?" : "");
        if (filter.status() != null) {
            where.append(filter.status() == StatusFilter.OK ? " AND status = 'ok'" : " AND status <> 'ok'");
        }
        where.append(filter.accountId() != null ? " AND account_id = ?" : "");
        return where.toString();
    }

    /** Binds {@link #where}'s parameters from the first; returns the next parameter's index. */
    public static int bind(PreparedStatement statement, long organizationId, Filter filter) throws SQLException {
        int column = 1;
        statement.setLong(column++, organizationId);
        if (filter.provider() != null) {
            statement.setString(column++, filter.provider());
        }
        if (filter.model() != null) {
            statement.setString(column++, filter.model());
        }
        if (filter.start() != null) {
            statement.setObject(column++, TimeBuckets.toColumn(filter.start()));
        }
        if (filter.end() != null) {
            statement.setObject(column++, TimeBuckets.toColumn(filter.end()));
        }
        if (filter.apiKeyIds() != null) {
            for (long id : filter.apiKeyIds()) {
                statement.setLong(column++, id);
            }
        }
        if (filter.mode() != null) {
            statement.setString(column++, filter.mode());
        }
        if (filter.accountId() != null) {
            statement.setString(column++, filter.accountId());
        }
        return column;
    }

    List<UsageEventView> read(PreparedStatement statement) throws SQLException {
        List<UsageEventView> events = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                events.add(map(rows));
            }
        }
        return events;
    }

    private UsageEventView map(ResultSet rows) throws SQLException {
        long durationMs = rows.getLong("duration_ms");
        Long duration = rows.wasNull() ? null : durationMs;
        long apiKey = rows.getLong("api_key_id");
        Long apiKeyId = rows.wasNull() ? null : apiKey;
        Dimensions dimensions = new Dimensions(rows.getString("account_id"), rows.getString("member_key"), rows.getString("team"), rows.getString("project"),
                rows.getString("department"), rows.getString("feature"), rows.getString("tool"), rows.getString("integration"), rows.getString("session_key"),
                rows.getString("mode"), rows.getString("tags"));
        return new UsageEventView(rows.getLong("id"), rows.getLong("organization_id"), rows.getString("event_id"),
                TimeBuckets.fromColumn(rows.getObject("occurred_at", LocalDateTime.class)), TimeBuckets.fromColumn(rows.getObject("received_at", LocalDateTime.class)),
                rows.getString("provider"), rows.getString("model"), rows.getString("status"), duration, rows.getInt("requests"), apiKeyId, dimensions,
                rows.getBoolean("priced"), rows.getBigDecimal("cost"), rows.getString("currency"), store.readLines(rows.getString("priced_lines")),
                rows.getBigDecimal("billing_cost"), rows.getString("billing_currency"), rows.getBigDecimal("fx_rate"), rows.getObject("fx_rate_date", LocalDate.class));
    }
}
