package io.meterline.platform.usage;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A stored usage event as the API shows it. */
public record UsageEventView(long id, long organizationId, String eventId, Instant timestamp, Instant receivedAt, String provider, String model,
                             String status, @Nullable Long durationMs, int requests, @Nullable Long apiKeyId, Dimensions dimensions,
                             boolean priced, @Nullable BigDecimal cost, @Nullable String currency, List<StoredLine> lines) {
}
