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
    /** Prepaid money credits the period's usage drew, netted (negative; quantity the credits drawn, prepaid or not). */
    CREDITS_APPLIED,
    /** The value of the usage the plan allowance or top-up tokens covered, netted (negative; quantity the tokens drawn). */
    ALLOWANCE_APPLIED
}
