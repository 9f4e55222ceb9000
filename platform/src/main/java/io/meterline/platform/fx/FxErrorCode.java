package io.meterline.platform.fx;

import io.meterline.platform.common.UserErrorCode;

/** Why {@code fxRateSet} refused its input; each name is a value of the schema's {@code UserErrorCode}. */
public enum FxErrorCode implements UserErrorCode {
    /** A required value is missing. */
    BLANK,
    /** Not a currency a rate can be set for: the euro itself (the base), or an ISO code that is no currency (XAU, XXX). */
    INVALID,
    /** A rate of zero or less, with more than 12 decimals or 12 integer digits, or a day in the future or before the euro. */
    OUT_OF_RANGE,
    /** The currency already has a rate for that day; stored rates are never changed. */
    CONFLICT
}
