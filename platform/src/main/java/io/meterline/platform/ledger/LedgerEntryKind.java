package io.meterline.platform.ledger;

/**
 * Why a ledger entry was posted. INVOICED: the CREDITS an invoice billed as overdraft (usage beyond what was prepaid),
 * posted by the invoice's finalization so the balance returns to where it was, and posted back negative when the
 * invoice is voided; the invoice netting leaves these out of what counts as prepaid.
 */
public enum LedgerEntryKind {
    PURCHASE, USAGE, REFUND, GRANT, ADJUSTMENT, PLAN_ALLOWANCE, PLAN_EXPIRY,
    /** A credit note gave money a paid invoice received back as CREDITS (settlement ACCOUNT_CREDIT). */
    CREDIT_NOTE,
    /** Credits overdrawn by usage and billed on an invoice (see the class comment). */
    INVOICED
}
