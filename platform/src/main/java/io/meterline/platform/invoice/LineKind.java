package io.meterline.platform.invoice;

/** What an invoice line bills; stored by name. */
public enum LineKind {
    /** The plan's monthly price. */
    SUBSCRIPTION,
    /** The period's usage of one provider and model, at its cost in the billing currency. */
    USAGE,
    /** Usage of an earlier period that arrived after that period was closed; the line names the period. */
    ADJUSTMENT,
    /** Top-up tokens bought in the period: paid at checkout, shown for the record (amount 0). */
    TOP_UP,
    /** Money credits the period's usage drew from the ledger, shown for the record (amount 0; quantity the credits drawn). */
    CREDITS_APPLIED,
    /** Plan and top-up tokens the period's usage drew, shown for the record (amount 0). */
    ALLOWANCE_APPLIED
}
