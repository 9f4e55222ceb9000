package io.meterline.platform.alert;

import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.Objects;

/**
 * A stored alert.
 *
 * @param id the row id
 * @param organizationId the organization it belongs to
 * @param sequence its number within the organization: unique, and committed in increasing order
 * @param kind what raised it, such as {@code BUDGET_THRESHOLD}
 * @param level {@code WARNING}, {@code CAUTION}, {@code CRITICAL} or {@code EXCEEDED}
 * @param dedupeKey the one crossing it stands for; stored once per organization
 * @param subject what it is about
 * @param message a sentence for people
 * @param data the figures behind it, as JSON text
 * @param raisedAt when it was stored
 * @param acknowledgedAt when a person acknowledged it, null while active
 * @param acknowledgedBy the user who acknowledged it, null while active
 */
@Serdeable
public record Alert(long id, long organizationId, long sequence, String kind, AlertLevel level, String dedupeKey, String subject, String message, String data,
                    Instant raisedAt, @Nullable Instant acknowledgedAt, @Nullable Long acknowledgedBy) {

    /** The GraphQL type name, also the type part of alert ids. */
    public static final String TYPE = "Alert";

    public Alert {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(level, "level is null");
        Objects.requireNonNull(dedupeKey, "dedupeKey is null");
        Objects.requireNonNull(subject, "subject is null");
        Objects.requireNonNull(message, "message is null");
        Objects.requireNonNull(data, "data is null");
        Objects.requireNonNull(raisedAt, "raisedAt is null");
    }

    public boolean active() {
        return acknowledgedAt == null;
    }
}
