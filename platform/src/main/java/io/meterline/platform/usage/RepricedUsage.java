package io.meterline.platform.usage;

import java.util.List;

/**
 * One event a repricing gave a price to at least one line of, as {@link RepriceListener#repriced} sees it.
 *
 * @param eventRowId the event's row id
 * @param usage the event after the repricing: its lines with their new prices; cost and currency set
 *              only when this repricing priced its last unpriced line ({@link #becamePriced}), null otherwise
 * @param newlyPriced the lines this repricing priced, which were unpriced until now (lines priced
 *                    before keep their amounts and were charged when they were priced)
 */
public record RepricedUsage(long eventRowId, RecordedUsage usage, List<StoredLine> newlyPriced) {

    public RepricedUsage {
        newlyPriced = List.copyOf(newlyPriced);
    }

    /** Whether the event is fully priced now: it had no cost before (it was waiting in usage_unpriced) and has one now. */
    public boolean becamePriced() {
        return usage.cost() != null;
    }
}
