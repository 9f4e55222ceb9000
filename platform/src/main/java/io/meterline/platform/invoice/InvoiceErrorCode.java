package io.meterline.platform.invoice;

import io.meterline.platform.common.UserErrorCode;

/** Why an invoice or tax mutation refused its input; each name is a value of the schema's {@code UserErrorCode}. */
public enum InvoiceErrorCode implements UserErrorCode {
    /** A required value is missing. */
    BLANK,
    /** A value that is no country, region, month or reference. */
    INVALID,
    /** A percentage outside 0-100, an amount of zero or less or finer than the currency's minor unit, or a day range that ends before it starts. */
    OUT_OF_RANGE,
    /** The invoice's status does not allow it (a draft cannot be paid, a void one cannot be credited). */
    INVALID_STATE,
    /** The period has not ended yet in the organization's zone. */
    PERIOD_NOT_ENDED,
    /** A paid invoice cannot be voided: correct it with a credit note. */
    INVOICE_PAID,
    /** A payment or credit note larger than what it settles or corrects. */
    EXCEEDS_AMOUNT,
    /** Another rate of the same country and region applies on some of the same days. */
    TAX_RATE_OVERLAP
}
