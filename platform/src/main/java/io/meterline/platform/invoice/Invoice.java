package io.meterline.platform.invoice;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A stored invoice. Amounts are in {@code currency}, rounded to its minor unit.
 *
 * @param periodStart the first day of the billing period (the organization's local month)
 * @param issue 0 for the invoice the close made; 1, 2, ... for reissues of the period
 * @param periodEnd the day after the period's last day
 * @param startsAt when the period starts in the organization's zone
 * @param endsAt when it ends
 * @param finalizeAfter when the grace ends and the draft is finalized
 * @param billTo the BILL TO block copied at finalization; null for a draft, or when the organization had no company details
 */
public record Invoice(long id, long organizationId, LocalDate periodStart, int issue, LocalDate periodEnd, Instant startsAt, Instant endsAt,
                      Instant finalizeAfter, String timeZone, InvoiceStatus status, @Nullable String number, String currency, BigDecimal subtotal,
                      BigDecimal tax, BigDecimal total, BigDecimal amountPaid, BigDecimal amountCredited, @Nullable String taxName,
                      @Nullable BigDecimal taxPercent, boolean taxExempt, @Nullable BillTo billTo, @Nullable Long reissueOf,
                      @Nullable String stripeInvoiceId, Instant createdAt, @Nullable Instant finalizedAt, @Nullable Instant paidAt,
                      @Nullable Instant voidedAt) {

    /** What is still owed: the total less payments and credit notes; 0 unless OPEN. */
    public BigDecimal amountDue() {
        return status == InvoiceStatus.OPEN ? total.subtract(amountPaid).subtract(amountCredited) : BigDecimal.ZERO;
    }
}
