package io.meterline.platform.webhook;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** A URL that receives an organization's events of some types, signed with its own secret. */
@MappedEntity("webhook_endpoint")
public record WebhookEndpoint(
        @Id @GeneratedValue @Nullable Long id,
        long organizationId,
        String url,
        String eventTypes,
        @Nullable String description,
        String signingSecret,
        Instant createdAt,
        @Nullable Instant deletedAt) {

    /** The subscribed types; stored comma separated since types never contain commas. */
    public List<String> eventTypeList() {
        return Arrays.stream(eventTypes.split(",")).filter(type -> !type.isEmpty()).toList();
    }

    public boolean receives(String eventType) {
        return deletedAt == null && eventTypeList().contains(eventType);
    }

    public WebhookEndpoint deleted(Instant at) {
        return new WebhookEndpoint(id, organizationId, url, eventTypes, description, signingSecret, createdAt, at);
    }
}
