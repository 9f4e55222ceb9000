package io.meterline.platform.webhook;

/** Where a delivery stands. */
public enum WebhookDeliveryStatus {
    /** Waiting for its first or next attempt. */
    PENDING,
    /** The endpoint answered 2xx. */
    DELIVERED,
    /** Every attempt failed, or the endpoint was deleted; only a replay sends it again. */
    FAILED
}
