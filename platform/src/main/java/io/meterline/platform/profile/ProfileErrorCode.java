package io.meterline.platform.profile;

import io.meterline.platform.common.UserErrorCode;

/** Why a profile or member input was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum ProfileErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value has the wrong format. */
    INVALID,
    /** A value is already taken. */
    TAKEN,
    /** The object is in a state that does not allow the change. */
    INVALID_STATE,
    /** A link's token has expired. */
    EXPIRED,
    /** A link's token was already used or replaced. */
    ALREADY_USED
}
