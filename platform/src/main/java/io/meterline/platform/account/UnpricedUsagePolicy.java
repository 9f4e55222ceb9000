package io.meterline.platform.account;

/** What happens to usage for a model without a price. */
public enum UnpricedUsagePolicy {
    /** Store it unpriced; price it once a rate covers it. */
    ACCEPT,
    /** Refuse the batch. */
    REJECT
}
