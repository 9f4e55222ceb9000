package io.meterline.platform.invoice;

/** Where an invoice is in its life; stored by name. */
public enum InvoiceStatus {
    /** Claimed by the close, during the grace period: no number, no lines yet. */
    DRAFT,
    /** Finalized and numbered, something is still owed. */
    OPEN,
    /** Settled: payments and credit notes cover the total. */
    PAID,
    /** Cancelled (void-and-reissue); a paid invoice is never voided. */
    VOID,
    /** Given up on collecting. */
    UNCOLLECTIBLE
}
