package io.meterline.platform.allocation;

import io.meterline.platform.common.UserErrorCode;

/** Why a cost-center or allocation-rule input was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum AllocationErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A code, name or dimension value is too long. */
    LENGTH,
    /** A code holds characters other than letters, digits, '-', '_' and '.', or a value holds a control character, or a split names a cost center twice. */
    INVALID,
    /** Another cost center of the organization has the code (compared ignoring case). */
    TAKEN,
    /** A split names a cost center that does not exist or belongs to another organization. */
    NOT_FOUND,
    /** A split names an archived cost center, or the cost center is already archived. */
    INVALID_STATE,
    /** A percent is not above 0 and at most 100, or has more than 2 decimals; or a rule has more splits than allowed. */
    OUT_OF_RANGE,
    /** A rule's percents do not add up to exactly 100. */
    SPLIT_TOTAL
}
