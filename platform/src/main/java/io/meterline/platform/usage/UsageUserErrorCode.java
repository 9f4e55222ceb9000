package io.meterline.platform.usage;

import io.meterline.platform.common.UserErrorCode;

/** Why a usage mutation, as {@code userErrors} (notes, and {@code usageRecord}'s mirror of its {@code UsageError}s) was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum UsageUserErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value is too long or too short. */
    LENGTH,
    /** A value has the wrong format. */
    INVALID,
    /** An event id was reused with different content. */
    CONFLICT,
    /** Usage for a model without a price, refused by the organization's strict policy. */
    UNPRICED
}
