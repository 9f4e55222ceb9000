package io.meterline.platform.budget;

import io.meterline.platform.common.UserErrorCode;

/** Why a budget input or an authorization was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum BudgetErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value has the wrong format, such as a currency that is no ISO 4217 code. */
    INVALID,
    /** A name is too long or too short. */
    LENGTH,
    /** A limit, percent, band or estimate is outside its allowed range. */
    OUT_OF_RANGE,
    /** The budget, member, team or project named does not exist or is not visible to the viewer. */
    NOT_FOUND,
    /** The budget is in a state that does not allow the change. */
    INVALID_STATE,
    /** A new COST budget in another currency than the organization is billed in. */
    CURRENCY_MISMATCH,
    /** An estimate in a currency that has no exchange rate into a budget's currency yet. */
    NO_EXCHANGE_RATE
}
