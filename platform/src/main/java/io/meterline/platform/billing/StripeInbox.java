package io.meterline.platform.billing;

import com.stripe.model.Event;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
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
                    statement.setTimestamp(4, Timestamp.from(Instant.ofEpochSecond(event.getCreated() == null ? 0 : event.getCreated())));
                    statement.setBoolean(5, Boolean.TRUE.equals(event.getLivemode()));
                    statement.setString(6, payload);
                    statement.setString(7, status.name());
                    statement.setTimestamp(8, status == StripeEventStatus.PENDING ? Timestamp.from(now) : null);
                    statement.setTimestamp(9, Timestamp.from(now));
                    return statement.executeUpdate() == 1;
                });
    }

    /** Claims up to {@code limit} due events for {@code lease}: the ids this worker won, in the order they are due. */
    @Transactional
    public List<Long> claim(int limit, Instant now, Instant leaseEnd) {
        List<Long> due = jdbc.prepareStatement("SELECT id FROM stripe_event WHERE status = 'PENDING' AND next_attempt_at <= ?"
                + " AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY next_attempt_at, id LIMIT ?", statement -> {
                    statement.setTimestamp(1, Timestamp.from(now));
                    statement.setTimestamp(2, Timestamp.from(now));
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
                        statement.setTimestamp(1, Timestamp.from(leaseEnd));
                        statement.setLong(2, id);
                        statement.setTimestamp(3, Timestamp.from(now));
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
                    statement.setTimestamp(3, nextAttemptAt == null ? null : Timestamp.from(nextAttemptAt));
                    statement.setString(4, error);
                    statement.setTimestamp(5, appliedAt == null ? null : Timestamp.from(appliedAt));
                    statement.setLong(6, id);
                    return statement.executeUpdate();
                });
    }
}
