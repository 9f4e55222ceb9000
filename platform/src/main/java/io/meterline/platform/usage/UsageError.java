package io.meterline.platform.usage;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * A problem with one event of a rejected batch.
 *
 * @param index the event's position in the batch, or null for the batch itself
 * @param field the offending field, such as {@code meters.input_tokens}
 * @param code a machine readable code; JSON writes its name
 * @param message a sentence a developer can act on
 */
@Serdeable
public record UsageError(@Nullable Integer index, String field, UsageErrorCode code, String message) {
}
