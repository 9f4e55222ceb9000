package io.meterline.plugin.spi;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * One meter of one event, priced: {@code billableQuantity x rate = amount}.
 *
 * @param meter the meter key
 * @param quantity the used quantity
 * @param billableQuantity the quantity charged (equal to {@code quantity} unless the provider rounds)
 * @param rate the rate applied, empty when no rate covers the event yet
 * @param amount the unrounded amount, or {@code null} when unpriced
 */
public record PricedLine(String meter, BigDecimal quantity, BigDecimal billableQuantity, Optional<Rate> rate, BigDecimal amount) {

    /** Validates the fields. */
    public PricedLine {
        Objects.requireNonNull(meter, "meter is null");
        Objects.requireNonNull(quantity, "quantity is null");
        Objects.requireNonNull(billableQuantity, "billableQuantity is null");
        Objects.requireNonNull(rate, "rate is null");
        if (rate.isPresent() != (amount != null)) {
            throw new IllegalArgumentException("a line has an amount exactly when it has a rate");
        }
    }

    /** Whether a rate covered this line. */
    public boolean priced() {
        return rate.isPresent();
    }
}
