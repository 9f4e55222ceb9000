package io.meterline.platform.billing;

/** Where a Stripe event stands in the inbox. */
public enum StripeEventStatus {
    /** Stored, to be applied by the worker (now or after a failed attempt's backoff). */
    PENDING,
    /** Applied once, in the transaction that marked it. */
    APPLIED,
    /** No handler applies this event type: stored as received, nothing to do. */
    IGNORED,
    /** Every attempt failed; the last error class is kept. */
    FAILED,
    /**
     * Sent with another API version than the one stripe-java reads ({@code Stripe.API_VERSION}): its
     * data object could deserialise as empty, so it is kept and reported, never applied half-read.
     */
    VERSION_MISMATCH
}
