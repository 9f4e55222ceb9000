package io.meterline.platform.billing;

/** What a Checkout Session sells. */
public enum CheckoutKind {
    /** A plan's recurring price (Checkout in subscription mode). */
    SUBSCRIPTION,
    /** A pack of top-up tokens (payment mode). */
    TOP_UP,
    /** Money credits in the billing currency (payment mode). */
    CREDITS
}
