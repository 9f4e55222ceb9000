package io.meterline.platform.ledger;

/** Why a ledger entry was posted. */
public enum LedgerEntryKind {
    PURCHASE, USAGE, REFUND, GRANT, ADJUSTMENT, PLAN_ALLOWANCE, PLAN_EXPIRY,
    /** A credit note gave money a paid invoice received back as CREDITS (settlement ACCOUNT_CREDIT). */
    CREDIT_NOTE
}
