package io.meterline.platform.usage;

import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** SQL of usage notes; callers hold the transaction and have checked the event's organization. */
@Singleton
class UsageNoteStore {

    private static final String COLUMNS = "n.id, n.usage_event_id, n.author_user_id, u.email, n.body, n.created_at, n.updated_at";

    private final JdbcOperations jdbc;

    UsageNoteStore(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /** Replaces the author's note on the event, or writes a first one. */
    void put(long organizationId, long eventId, long authorUserId, String text, Instant now) {
        int updated = jdbc.prepareStatement("UPDATE usage_note SET body = ?, updated_at = ? WHERE usage_event_id = ? AND author_user_id = ?", statement -> {
            statement.setString(1, text);
            statement.setObject(2, TimeBuckets.toColumn(now));
            statement.setLong(3, eventId);
            statement.setLong(4, authorUserId);
            return statement.executeUpdate();
        });
        if (updated == 0) {
            jdbc.prepareStatement("INSERT INTO usage_note (organization_id, usage_event_id, author_user_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    statement -> {
                        statement.setLong(1, organizationId);
                        statement.setLong(2, eventId);
                        statement.setLong(3, authorUserId);
                        statement.setString(4, text);
                        statement.setObject(5, TimeBuckets.toColumn(now));
                        statement.setObject(6, TimeBuckets.toColumn(now));
                        return statement.executeUpdate();
                    });
        }
    }

    /** Deletes the author's note on the event; whether there was one. */
    boolean delete(long eventId, long authorUserId) {
        return jdbc.prepareStatement("DELETE FROM usage_note WHERE usage_event_id = ? AND author_user_id = ?", statement -> {
            statement.setLong(1, eventId);
            statement.setLong(2, authorUserId);
            return statement.executeUpdate() > 0;
        });
    }

    /** Every note on the events, in one statement, oldest first. */
    List<UsageNote> forEvents(Collection<Long> eventIds) {
        if (eventIds.isEmpty()) {
            return List.of();
        }
        List<Long> ids = List.copyOf(eventIds);
        return jdbc.prepareStatement("SELECT " + COLUMNS + " FROM usage_note n JOIN app_user u ON u.id = n.author_user_id WHERE n.usage_event_id IN ("
                + Placeholders.in(ids.size()) + ") ORDER BY n.id", statement -> {
            Placeholders.bind(statement, 1, ids);
            return read(statement.executeQuery());
        });
    }

    private static List<UsageNote> read(ResultSet rows) throws java.sql.SQLException {
        List<UsageNote> notes = new ArrayList<>();
        try (rows) {
            while (rows.next()) {
                notes.add(new UsageNote(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getString(4), rows.getString(5),
                        TimeBuckets.fromColumn(rows.getObject(6, LocalDateTime.class)), TimeBuckets.fromColumn(rows.getObject(7, LocalDateTime.class))));
            }
        }
        return notes;
    }
}
