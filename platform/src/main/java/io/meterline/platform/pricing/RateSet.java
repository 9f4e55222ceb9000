package io.meterline.platform.pricing;

import java.util.Objects;

/**
 * Published by {@link PricingService#setRate} right after a rate version is stored, synchronously and
 * in the same transaction, so the feature holding unpriced events (usage) prices what the new rate
 * covers without pricing importing it: the dependency points from usage to pricing only. A listener
 * that reprices reports how many events it changed through {@link #addRepriced}, which the
 * {@code rateSet} payload shows; one that fails rolls the new rate back with it.
 */
public final class RateSet {

    private final RateRecord rate;
    private final String by;
    private long repricedEventCount;

    public RateSet(RateRecord rate, String by) {
        this.rate = Objects.requireNonNull(rate, "rate is null");
        this.by = Objects.requireNonNull(by, "by is null");
    }

    /** The stored rate version. */
    public RateRecord rate() {
        return rate;
    }

    /** Who set it, for the repricing's audit rows. */
    public String by() {
        return by;
    }

    /** Counts events a listener repriced for this rate. */
    public void addRepriced(long count) {
        repricedEventCount += count;
    }

    public long repricedEventCount() {
        return repricedEventCount;
    }
}
