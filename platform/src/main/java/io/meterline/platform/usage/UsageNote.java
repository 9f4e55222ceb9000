package io.meterline.platform.usage;

import java.time.Instant;

/**
 * A personal note on a usage event: one per event and author, seen only by its author and by
 * platform admins.
 *
 * @param id the row id
 * @param usageEventId the event's row id
 * @param authorUserId the user who wrote it
 * @param authorEmail that user's email
 * @param text the note, 1 to {@link UsageNoteService#MAX_LENGTH} characters
 * @param createdAt when it was first written
 * @param updatedAt when it was last changed
 */
public record UsageNote(long id, long usageEventId, long authorUserId, String authorEmail, String text, Instant createdAt, Instant updatedAt) {

    /** The GraphQL type name, used in ids. */
    static final String TYPE = "UsageNote";
}
