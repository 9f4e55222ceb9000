package io.meterline.platform.attribution;

import io.meterline.platform.common.UserErrorCode;

/** Why an attribution input was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum AttributionErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value has the wrong format. */
    INVALID,
    /** A value is too long or too short. */
    LENGTH,
    /** A value is already taken. */
    TAKEN,
    /** The object the input names does not exist or is not visible to the viewer. */
    NOT_FOUND,
    /** The object is in a state that does not allow the change. */
    INVALID_STATE
}
