package io.meterline.platform.usage;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.math.BigDecimal;

/**
 * What happened to one event of an accepted batch.
 *
 * @param index the position in the batch
 * @param eventId the client-chosen id
 * @param outcome {@code ACCEPTED} or {@code DUPLICATE}
 * @param cost the priced cost, null while unpriced
 * @param currency the cost's currency, null while unpriced
 * @param priced whether every meter was priced
 * @param billingCost the cost in the organization's billing currency, null while unpriced or unconverted
 * @param billingCurrency the billing currency, null while unpriced or unconverted
 */
@Serdeable
public record EventResult(int index, String eventId, Outcome outcome, @Nullable BigDecimal cost, @Nullable String currency, boolean priced,
                          @Nullable BigDecimal billingCost, @Nullable String billingCurrency) {

    /** Whether the event was new. */
    public enum Outcome {
        ACCEPTED,
        DUPLICATE
    }
}
