package io.meterline.platform.webhook;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * One event for one endpoint: the outbox row and its delivery log.
 *
 * @param payload the exact JSON body sent (and signed) on every attempt
 * @param nextAttemptAt when the dispatcher may next claim it; null once delivered or given up
 */
@MappedEntity("webhook_delivery")
public record WebhookDelivery(
        @Id @GeneratedValue @Nullable Long id,
        long organizationId,
        long endpointId,
        String eventType,
        String payload,
        WebhookDeliveryStatus status,
        int attemptCount,
        @Nullable Integer lastStatusCode,
        @Nullable String lastError,
        @Nullable Instant nextAttemptAt,
        @Nullable Instant deliveredAt,
        Instant createdAt) {

    /** A new delivery, due at once. */
    public static WebhookDelivery pending(long organizationId, long endpointId, String eventType, String payload, Instant now) {
        return new WebhookDelivery(null, organizationId, endpointId, eventType, payload, WebhookDeliveryStatus.PENDING, 0, null, null, now, null, now);
    }

    /** The outcome of one attempt. */
    public WebhookDelivery attempted(WebhookDeliveryStatus newStatus, @Nullable Integer statusCode, @Nullable String error,
                                     @Nullable Instant next, @Nullable Instant delivered) {
        return new WebhookDelivery(id, organizationId, endpointId, eventType, payload, newStatus, attemptCount + 1, statusCode, error, next, delivered, createdAt);
    }

    public WebhookDelivery abandoned(String reason) {
        return new WebhookDelivery(id, organizationId, endpointId, eventType, payload, WebhookDeliveryStatus.FAILED, attemptCount, lastStatusCode, reason, null, deliveredAt, createdAt);
    }
}
