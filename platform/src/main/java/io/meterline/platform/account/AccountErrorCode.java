package io.meterline.platform.account;

import io.meterline.platform.common.UserErrorCode;

/** Why an organization, API key or billing-currency input was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum AccountErrorCode implements UserErrorCode {
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
    /** The object is in a state that does not allow the change. */
    INVALID_STATE
}
