package io.meterline.platform.budget;

/** Why a budget input or an authorization was refused, beyond the generic codes; each name is a value of the schema's {@code UserErrorCode}. */
public enum BudgetErrorCode {
    /** A new COST budget in another currency than the organization is billed in. */
    CURRENCY_MISMATCH,
    /** An estimate in a currency that has no exchange rate into a budget's currency yet. */
    NO_EXCHANGE_RATE
}
