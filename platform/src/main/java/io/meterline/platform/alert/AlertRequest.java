package io.meterline.platform.alert;

import java.util.Map;
import java.util.Objects;

/**
 * A feature asks for an alert: published with Micronaut's {@code ApplicationEventPublisher} after
 * the change that caused it committed. The alert feature stores it at most once per
 * {@link #dedupeKey()} (one per threshold per budget period), then delivers it live, by email and
 * by webhook.
 *
 * @param organizationId the organization the alert belongs to
 * @param kind what raised it: {@code BUDGET_THRESHOLD} or {@code BALANCE_LOW}
 * @param level {@code WARNING}, {@code CAUTION}, {@code CRITICAL} or {@code EXCEEDED}
 * @param dedupeKey identifies the one crossing, such as {@code budget:12:2026-11-01:80}
 * @param subject what it is about, such as the budget's name
 * @param message a sentence for people
 * @param data the figures behind it (limit, consumed, percent, resetsAt, ...), as JSON-friendly values
 */
public record AlertRequest(long organizationId, String kind, String level, String dedupeKey, String subject, String message, Map<String, Object> data) {

    public AlertRequest {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(level, "level is null");
        Objects.requireNonNull(dedupeKey, "dedupeKey is null");
        Objects.requireNonNull(subject, "subject is null");
        Objects.requireNonNull(message, "message is null");
        data = Map.copyOf(data);
    }
}
