package io.meterline.platform.ledger;

/** Which balance an entry changes: money credits, or one of the two token balances. */
public enum LedgerAccount {
    CREDITS, PLAN_TOKENS, TOPUP_TOKENS;

    public boolean isTokens() {
        return this != CREDITS;
    }
}
