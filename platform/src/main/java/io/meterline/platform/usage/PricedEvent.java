package io.meterline.platform.usage;

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
 */
record PricedEvent(UsageEventDraft draft, List<StoredLine> lines, @Nullable BigDecimal cost, @Nullable String currency, String contentHash) {

    boolean priced() {
        return cost != null;
    }
}
