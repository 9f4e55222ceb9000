package io.meterline.platform.notification;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** An organization's saved alert settings; a null email means "the oldest organization admin's". */
@MappedEntity("alert_settings")
public record AlertSettingsRow(
        @Id long organizationId,
        boolean enabled,
        int thresholdPercent,
        @Nullable String email,
        Instant updatedAt) {
}
