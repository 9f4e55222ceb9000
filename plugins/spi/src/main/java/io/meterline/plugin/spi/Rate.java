package io.meterline.plugin.spi;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * A price: {@code unitPrice} of {@code currency} for every {@code per} units of a meter of a model,
 * such as 0.60 USD per 1,000,000 input tokens.
 *
 * @param model the model id, or {@link #ANY_MODEL} for a rate that applies to every model of the provider
 * @param meter the meter key
 * @param unitPrice the price of {@code per} units; not negative
 * @param per how many units {@code unitPrice} buys; positive
 * @param currency the ISO 4217 currency code
 * @param version the price book version of this rate, or 0 for a plugin default not yet in a price book
 */
public record Rate(String model, String meter, BigDecimal unitPrice, BigDecimal per, String currency, long version) {

    /** The model of a rate that applies to every model of its provider. */
    public static final String ANY_MODEL = "*";

    /** Validates the fields. */
    public Rate {
        Objects.requireNonNull(model, "model is null");
        Objects.requireNonNull(meter, "meter is null");
        Objects.requireNonNull(unitPrice, "unitPrice is null");
        Objects.requireNonNull(per, "per is null");
        Objects.requireNonNull(currency, "currency is null");
        if (unitPrice.signum() < 0) {
            throw new IllegalArgumentException("unitPrice must not be negative");
        }
        if (per.signum() <= 0) {
            throw new IllegalArgumentException("per must be positive");
        }
        Currency.getInstance(currency);
    }

    /** A default rate of a plugin, before it is stored in a price book. */
    public static Rate of(String model, String meter, String unitPrice, long per, String currency) {
        return new Rate(model, meter, new BigDecimal(unitPrice), BigDecimal.valueOf(per), currency, 0);
    }

    /**
     * The amount for a billable quantity, kept at {@link ProviderPlugin#AMOUNT_SCALE} decimals; the
     * platform rounds it once when storing it.
     *
     * @param quantity the billable quantity
     * @return quantity x unitPrice / per
     */
    public BigDecimal amountFor(BigDecimal quantity) {
        // One rounding, straight to the amount scale: exact whenever per is a power of ten.
        return quantity.multiply(unitPrice).divide(per, ProviderPlugin.AMOUNT_SCALE, RoundingMode.HALF_EVEN);
    }
}
