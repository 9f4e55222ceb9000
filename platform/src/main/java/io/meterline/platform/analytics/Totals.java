package io.meterline.platform.analytics;

import io.meterline.platform.pricing.MeterClass;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * Usage added up: the measures of one rollup row, one bucket or one group. Mutable while a roll or a
 * query adds rows into it; amounts of one currency ({@code cost}).
 */
public final class Totals {

    long requests;
    long errorRequests;
    /** Priced calls still waiting for an exchange rate into the billing currency: in {@code cost}, not yet in {@code billingCost}. */
    long unconvertedRequests;
    BigDecimal tokens = BigDecimal.ZERO;
    BigDecimal inputTokens = BigDecimal.ZERO;
    BigDecimal outputTokens = BigDecimal.ZERO;
    BigDecimal characters = BigDecimal.ZERO;
    BigDecimal minutes = BigDecimal.ZERO;
    BigDecimal images = BigDecimal.ZERO;
    /** Cost per currency code; unpriced usage adds none. */
    final Map<String, BigDecimal> cost = new TreeMap<>();
    /**
     * The same cost in the billing currency of each event's day, per billing currency (one entry unless
     * the organization changed its billing currency within the range); unconverted usage adds none.
     */
    final Map<String, BigDecimal> billingCost = new TreeMap<>();
    long durationMs;

    /** Adds another's measures into this one (a query adding groups up, such as every customer's providers). */
    public void add(Totals other) {
        requests += other.requests;
        errorRequests += other.errorRequests;
        unconvertedRequests += other.unconvertedRequests;
        tokens = tokens.add(other.tokens);
        inputTokens = inputTokens.add(other.inputTokens);
        outputTokens = outputTokens.add(other.outputTokens);
        characters = characters.add(other.characters);
        minutes = minutes.add(other.minutes);
        images = images.add(other.images);
        other.cost.forEach(this::addCost);
        other.billingCost.forEach(this::addBillingCost);
        durationMs += other.durationMs;
    }

    public long requests() {
        return requests;
    }

    public long errorRequests() {
        return errorRequests;
    }

    /** Priced calls whose cost waits for an exchange rate: counted in {@link #cost()}, not yet in {@link #billingCost()}. */
    public long unconvertedRequests() {
        return unconvertedRequests;
    }

    public BigDecimal tokens() {
        return tokens;
    }

    public BigDecimal inputTokens() {
        return inputTokens;
    }

    public BigDecimal outputTokens() {
        return outputTokens;
    }

    public BigDecimal characters() {
        return characters;
    }

    public BigDecimal minutes() {
        return minutes;
    }

    public BigDecimal images() {
        return images;
    }

    /** Turns every measure into its opposite, to take usage out of a sum. */
    void negate() {
        requests = -requests;
        errorRequests = -errorRequests;
        unconvertedRequests = -unconvertedRequests;
        tokens = tokens.negate();
        inputTokens = inputTokens.negate();
        outputTokens = outputTokens.negate();
        characters = characters.negate();
        minutes = minutes.negate();
        images = images.negate();
        cost.replaceAll((currency, amount) -> amount.negate());
        billingCost.replaceAll((currency, amount) -> amount.negate());
        durationMs = -durationMs;
    }

    /** Adds a meter's quantity to the measure its class counts in. */
    void add(MeterClass meterClass, BigDecimal quantity) {
        if (meterClass.tokens()) {
            tokens = tokens.add(quantity);
        }
        switch (meterClass) {
            case INPUT_TOKENS -> inputTokens = inputTokens.add(quantity);
            case OUTPUT_TOKENS -> outputTokens = outputTokens.add(quantity);
            case CHARACTERS -> characters = characters.add(quantity);
            case MINUTES -> minutes = minutes.add(quantity);
            case IMAGES -> images = images.add(quantity);
            default -> {
            }
        }
    }

    void addCost(String currency, BigDecimal amount) {
        if (!currency.isEmpty()) {
            cost.merge(currency, amount, BigDecimal::add);
        }
    }

    void addBillingCost(String currency, BigDecimal amount) {
        if (!currency.isEmpty()) {
            billingCost.merge(currency, amount, BigDecimal::add);
        }
    }

    /** The cost in the billing currency, one amount per billing currency, in currency order. */
    public Map<String, BigDecimal> billingCost() {
        return billingCost;
    }

    /** One amount per currency, in currency order. */
    public Map<String, BigDecimal> cost() {
        return cost;
    }

    public long durationMs() {
        return durationMs;
    }
}
