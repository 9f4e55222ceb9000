package io.meterline.platform.fx;

import io.meterline.platform.common.Money;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

/**
 * An amount converted by {@link FxConverter#convert}: store all four beside the original amount, so
 * the figure is explained and never re-converted.
 *
 * @param amount the converted amount, {@code Money.round(original * rate)}, at {@link Money#AMOUNT_SCALE} decimals
 * @param currencyCode the currency converted into
 * @param rate units of the target currency per unit of the source, at {@link FxConverter#RATE_SCALE} decimals (1 for the same currency)
 * @param rateDate the day of the rate used: the last published day on or before the day asked for; for a cross rate,
 *                 the older of its two legs' days; the day asked for when nothing was converted
 */
public record Conversion(BigDecimal amount, String currencyCode, BigDecimal rate, LocalDate rateDate) {

    public Conversion {
        Objects.requireNonNull(amount, "amount is null");
        Objects.requireNonNull(currencyCode, "currencyCode is null");
        Objects.requireNonNull(rate, "rate is null");
        Objects.requireNonNull(rateDate, "rateDate is null");
    }

    /** The converted amount with its currency. */
    public Money money() {
        return new Money(amount, currencyCode);
    }
}
