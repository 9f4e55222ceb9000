package io.meterline.platform.billing;

import io.meterline.platform.common.jdbc.TimeColumns;
import com.stripe.model.Event;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code stripe_event} table: Stripe's events stored once by their id, and the claims the
 * workers of every instance take on them. A claim is a conditional update of the row's lease, so
 * exactly one worker wins a row whatever the database's locking does.
 */
@Singleton
public class StripeInbox {

    /** A stored event, as a worker reads it to apply. */
    public record Stored(long id, String eventId, String eventType, String payload, int attemptCount) {
    }

    /** A stored event as platform admins list it (the payload stays in the database). */
    public record Listed(long id, String eventId, String type, @Nullable String apiVersion, StripeEventStatus status, int attemptCount,
                         @Nullable String lastError, Instant stripeCreatedAt, Instant receivedAt, @Nullable Instant appliedAt) {
    }

    private static final String LISTED = "SELECT id, event_id, event_type, api_version, status, attempt_count, last_error, stripe_created_at, received_at,"
            + " applied_at FROM stripe_event";

    private final JdbcOperations jdbc;

    public StripeInbox(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores a verified event unless its id is stored already.
     *
     * @return whether this call stored it (false: a replay, nothing changed)
     */
    @Transactional
    public boolean receive(Event event, String payload, StripeEventStatus status, Instant now) {
        return jdbc.prepareStatement("INSERT IGNORE INTO stripe_event (event_id, event_type, api_version, stripe_created_at, livemode, payload, status,"
                + " attempt_count, next_attempt_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)", statement -> {
                    statement.setString(1, event.getId());
                    statement.setString(2, event.getType());
                    statement.setString(3, event.getApiVersion());
                    statement.setObject(4, TimeColumns.toColumn(Instant.ofEpochSecond(event.getCreated() == null ? 0 : event.getCreated())));
                    statement.setBoolean(5, Boolean.TRUE.equals(event.getLivemode()));
                    statement.setString(6, payload);
                    statement.setString(7, status.name());
                    statement.setObject(8, status == StripeEventStatus.PENDING ? TimeColumns.toColumn(now) : null);
                    statement.setObject(9, TimeColumns.toColumn(now));
                    return statement.executeUpdate() == 1;
                });
    }

    /** Stripe's creation time of the newest event the inbox holds, where reconciliation starts reading. */
    @Transactional
    public Optional<Instant> newestCreated() {
        return jdbc.prepareStatement("SELECT MAX(stripe_created_at) FROM stripe_event", statement -> {
            try (ResultSet rows = statement.executeQuery()) {
                LocalDateTime newest = rows.next() ? rows.getObject(1, LocalDateTime.class) : null;
                return Optional.ofNullable(newest).map(TimeColumns::fromColumn);
            }
        });
    }

    /** Claims up to {@code limit} due events for {@code lease}: the ids this worker won, in the order they are due. */
    @Transactional
    public List<Long> claim(int limit, Instant now, Instant leaseEnd) {
        List<Long> due = jdbc.prepareStatement("SELECT id FROM stripe_event WHERE status = 'PENDING' AND next_attempt_at <= ?"
                + " AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY next_attempt_at, id LIMIT ?", statement -> {
                    statement.setObject(1, TimeColumns.toColumn(now));
                    statement.setObject(2, TimeColumns.toColumn(now));
                    statement.setInt(3, limit);
                    List<Long> ids = new ArrayList<>();
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            ids.add(rows.getLong(1));
                        }
                    }
                    return ids;
                });
        List<Long> won = new ArrayList<>();
        for (long id : due) {
            boolean claimed = jdbc.prepareStatement("UPDATE stripe_event SET claimed_until = ? WHERE id = ? AND status = 'PENDING'"
                    + " AND (claimed_until IS NULL OR claimed_until <= ?)", statement -> {
                        statement.setObject(1, TimeColumns.toColumn(leaseEnd));
                        statement.setLong(2, id);
                        statement.setObject(3, TimeColumns.toColumn(now));
                        return statement.executeUpdate() == 1;
                    });
            if (claimed) {
                won.add(id);
            }
        }
        return won;
    }

    @Transactional
    public Optional<Stored> find(long id) {
        return jdbc.prepareStatement("SELECT id, event_id, event_type, payload, attempt_count FROM stripe_event WHERE id = ?", statement -> {
            statement.setLong(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(new Stored(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getInt(5)))
                        : Optional.<Stored>empty();
            }
        });
    }

    /** Newest first, below the {@code beforeId} row, at most {@code limit}, of one status or all. */
    @Transactional
    public List<Listed> page(@Nullable StripeEventStatus status, long beforeId, int limit) {
        return jdbc.prepareStatement(LISTED + " WHERE id < ?" + (status == null ? "" : " AND status = ?") + " ORDER BY id DESC LIMIT ?", statement -> {
            int index = 1;
            statement.setLong(index++, beforeId);
            if (status != null) {
                statement.setString(index++, status.name());
            }
            statement.setInt(index, limit);
            List<Listed> listed = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    listed.add(listed(rows));
                }
            }
            return listed;
        });
    }

    @Transactional
    public long count(@Nullable StripeEventStatus status) {
        return jdbc.prepareStatement("SELECT COUNT(*) FROM stripe_event" + (status == null ? "" : " WHERE status = ?"), statement -> {
            if (status != null) {
                statement.setString(1, status.name());
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    /**
     * Puts a FAILED event back in line, due now, with its attempts counted afresh (an operator fixed
     * the cause). Any other status is left as it is.
     *
     * @return whether the event was FAILED and is PENDING now
     */
    @Transactional
    public boolean retry(String eventId, Instant now) {
        return jdbc.prepareStatement("UPDATE stripe_event SET status = 'PENDING', attempt_count = 0, next_attempt_at = ?, claimed_until = NULL"
                + " WHERE event_id = ? AND status = 'FAILED'", statement -> {
                    statement.setObject(1, TimeColumns.toColumn(now));
                    statement.setString(2, eventId);
                    return statement.executeUpdate() == 1;
                });
    }

    /** An event by Stripe's id, as admins list it. */
    @Transactional
    public Optional<Listed> findListed(String eventId) {
        return jdbc.prepareStatement(LISTED + " WHERE event_id = ?", statement -> {
            statement.setString(1, eventId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(listed(rows)) : Optional.<Listed>empty();
            }
        });
    }

    private static Listed listed(ResultSet rows) throws java.sql.SQLException {
        LocalDateTime appliedAt = rows.getObject(10, LocalDateTime.class);
        return new Listed(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4), StripeEventStatus.valueOf(rows.getString(5)),
                rows.getInt(6), rows.getString(7), TimeColumns.fromColumn(rows.getObject(8, LocalDateTime.class)),
                TimeColumns.fromColumn(rows.getObject(9, LocalDateTime.class)), appliedAt == null ? null : TimeColumns.fromColumn(appliedAt));
    }

    /** Marks an event applied (or ignored); call it in the transaction that applied it. */
    @Transactional
    public void settle(long id, StripeEventStatus status, int attemptCount, Instant now) {
        update(id, status, attemptCount, null, null, now);
    }

    /** Records a failed attempt: PENDING again from {@code nextAttemptAt}, or FAILED when it is null. */
    @Transactional
    public void failed(long id, int attemptCount, @Nullable Instant nextAttemptAt, String errorClass) {
        update(id, nextAttemptAt == null ? StripeEventStatus.FAILED : StripeEventStatus.PENDING, attemptCount, nextAttemptAt, errorClass, null);
    }

    private void update(long id, StripeEventStatus status, int attemptCount, @Nullable Instant nextAttemptAt, @Nullable String error, @Nullable Instant appliedAt) {
        jdbc.prepareStatement("UPDATE stripe_event SET status = ?, attempt_count = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ?, applied_at = ?"
                + " WHERE id = ?", (PreparedStatement statement) -> {
                    statement.setString(1, status.name());
                    statement.setInt(2, attemptCount);
                    statement.setObject(3, nextAttemptAt == null ? null : TimeColumns.toColumn(nextAttemptAt));
                    statement.setString(4, error);
                    statement.setObject(5, appliedAt == null ? null : TimeColumns.toColumn(appliedAt));
                    statement.setLong(6, id);
                    return statement.executeUpdate();
                });
    }
}
