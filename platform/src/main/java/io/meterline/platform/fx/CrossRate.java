package io.meterline.platform.fx;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

/**
 * The rate {@link FxConverter} converts with from one currency into another on a day.
 *
 * @param from the source currency
 * @param to the target currency
 * @param rate units of {@code to} per unit of {@code from}, at {@link FxConverter#RATE_SCALE} decimals, HALF_EVEN
 * @param rateDate the last published day on or before the day asked for; for a cross rate, the older of its legs' days
 * @param source where the rate came from; for a cross rate, the least official of its legs (MANUAL, then BUNDLED, then ECB)
 */
public record CrossRate(String from, String to, BigDecimal rate, LocalDate rateDate, FxSource source) {

    public CrossRate {
        Objects.requireNonNull(from, "from is null");
        Objects.requireNonNull(to, "to is null");
        Objects.requireNonNull(rate, "rate is null");
        Objects.requireNonNull(rateDate, "rateDate is null");
        Objects.requireNonNull(source, "source is null");
    }
}
