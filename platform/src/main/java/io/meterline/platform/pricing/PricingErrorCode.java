package io.meterline.platform.pricing;

import io.meterline.platform.common.UserErrorCode;

/** Why a price or model input was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum PricingErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value has the wrong format. */
    INVALID,
    /** A value is too long or too short. */
    LENGTH,
    /** A number or day is outside its allowed range. */
    OUT_OF_RANGE,
    /** The object the input names does not exist or is not visible to the viewer. */
    NOT_FOUND
}
