package io.meterline.platform.businessrules;

import io.meterline.platform.common.UserErrorCode;

/** Why a business-rules input was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum BusinessRulesErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value is too long or too short. */
    LENGTH
}
