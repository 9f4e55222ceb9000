package io.meterline.platform.usage;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * One event of a batch after its fields were checked, before its provider normalised and priced it.
 *
 * @param index the position in the batch
 * @param eventId the client-chosen idempotency key
 * @param timestamp when the call happened
 * @param provider the provider id
 * @param model the model id
 * @param meters the reported meter quantities (without {@code requests})
 * @param nativeUsage the provider's own usage object, or empty
 * @param dimensions the attribution
 * @param status {@code ok} or an error code
 * @param durationMs how long the call took, or null
 * @param requests how many calls the event stands for
 * @param reservationId the authorization this event settles, or null
 */
record UsageEventDraft(int index, String eventId, Instant timestamp, String provider, String model, Map<String, BigDecimal> meters,
                       Map<String, Object> nativeUsage, Dimensions dimensions, String status, @Nullable Long durationMs, int requests,
                       @Nullable String reservationId) {

    boolean isError() {
        return !UsageEventParser.STATUS_OK.equals(status);
    }
}
