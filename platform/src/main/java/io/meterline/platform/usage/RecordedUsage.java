package io.meterline.platform.usage;

import io.meterline.platform.fx.Conversion;
import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A usage event as stored, handed to {@link UsageListener}s: what budgets, balances and alerts need
 * to know about it.
 *
 * @param organizationId the organization
 * @param apiKeyId the API key that recorded it, or null
 * @param eventId the client-chosen id
 * @param timestamp when the call happened
 * @param provider the provider id
 * @param model the model id
 * @param dimensions the attribution
 * @param requests how many calls it stands for
 * @param error whether the call ended with an error status
 * @param lines the priced lines (quantities, units per meter, amounts)
 * @param cost the cost, null while unpriced
 * @param currency the cost's currency, null while unpriced
 * @param reservationId the authorization it settles, or null
 * @param billing the cost in the organization's billing currency of the event's day and the rate used; null while
 *                unpriced and while held as unconverted (no rate covers the day yet: {@link RepriceListener#converted}
 *                hands the event over again once one does)
 */
public record RecordedUsage(long organizationId, @Nullable Long apiKeyId, String eventId, Instant timestamp, String provider, String model,
                            Dimensions dimensions, int requests, boolean error, List<StoredLine> lines, @Nullable BigDecimal cost,
                            @Nullable String currency, @Nullable String reservationId, @Nullable Conversion billing) {

    static RecordedUsage of(long organizationId, @Nullable Long apiKeyId, PricedEvent event) {
        UsageEventDraft draft = event.draft();
        return new RecordedUsage(organizationId, apiKeyId, draft.eventId(), draft.timestamp(), draft.provider(), draft.model(), draft.dimensions(),
                draft.requests(), draft.isError(), event.lines(), event.cost(), event.currency(), draft.reservationId(), event.billing());
    }

    /** The cost in the billing currency, null while unpriced or unconverted. */
    @Nullable
    public BigDecimal billingCost() {
        return billing == null ? null : billing.amount();
    }

    /** The billing currency of the cost, null while unpriced or unconverted. */
    @Nullable
    public String billingCurrency() {
        return billing == null ? null : billing.currencyCode();
    }
}
