package io.meterline.platform.ledger;

import io.meterline.platform.common.UserErrorCode;

/** Why a ledger input (grants, adjustments, balances) was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum LedgerErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value has the wrong format. */
    INVALID,
    /** A value is too long or too short. */
    LENGTH,
    /** A number or day is outside its allowed range. */
    OUT_OF_RANGE,
    /** A value is already taken. */
    TAKEN,
    /** The object the input names does not exist or is not visible to the viewer. */
    NOT_FOUND,
    /** The object is in a state that does not allow the change. */
    INVALID_STATE
}
