package io.meterline.platform.billing;

import io.meterline.platform.common.UserErrorCode;

/** The codes of billing's user errors; each name is a value of the schema's {@code UserErrorCode}. */
public enum BillingErrorCode implements UserErrorCode {
    /** No Stripe secret key is set (the embedded and demo start): nothing can be paid. */
    BILLING_NOT_CONFIGURED,
    /** A plan or pack priced in another currency than the organization is billed in. */
    CURRENCY_MISMATCH,
    /** Stripe refused the request, failed, or did not answer in time, after its retries. */
    PAYMENT_PROVIDER_ERROR,
    /** No plan or pack has this id (or the plan is not offered). */
    NOT_FOUND,
    /** An amount is zero, negative or above the configured maximum. */
    OUT_OF_RANGE,
    /** A value has the wrong shape, such as more decimals than the currency has. */
    INVALID,
    /** No exchange rate reaches the currency, so usage could not be converted into it. */
    NO_EXCHANGE_RATE,
    /** The change is not possible now, such as subscribing to the plan the organization is on. */
    INVALID_STATE
}
