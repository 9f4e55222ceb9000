package io.meterline.platform.usage;

import io.meterline.platform.fx.Conversion;
import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.util.List;

/**
 * An event normalised and priced by its provider plugin, ready to store.
 *
 * @param draft the checked event
 * @param lines one line per non-zero meter
 * @param cost the sum of the line amounts, null unless every line is priced
 * @param currency the currency of the cost, null while unpriced
 * @param contentHash SHA-256 of the event's canonical content, to tell a duplicate from a conflict
 * @param billing the cost in the billing currency of the event's day and the rate used; null while unpriced, or
 *                while no rate covers that day (the event is then held as unconverted)
 * @param unconverted priced, converted, and no rate covered its day: stored in usage_unconverted to wait for one
 */
record PricedEvent(UsageEventDraft draft, List<StoredLine> lines, @Nullable BigDecimal cost, @Nullable String currency, String contentHash,
                   @Nullable Conversion billing, boolean unconverted) {

    /** The event after conversion: with its billing figure, or held as unconverted when {@code conversion} is null. */
    PricedEvent withBilling(@Nullable Conversion conversion) {
        return new PricedEvent(draft, lines, cost, currency, contentHash, conversion, cost != null && conversion == null);
    }

    boolean priced() {
        return cost != null;
    }
}
