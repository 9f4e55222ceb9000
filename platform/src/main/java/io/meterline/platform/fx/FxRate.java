package io.meterline.platform.fx;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One stored rate: {@code rate} units of {@code quoteCurrency} buy one {@code baseCurrency} (always
 * {@link FxConverter#BASE}) on {@code rateDate}. Rows are never changed once stored.
 *
 * @param id the row id
 * @param baseCurrency the base, EUR
 * @param quoteCurrency the currency the rate prices
 * @param rateDate the day the rate was published for
 * @param rate the rate, exact, at {@link FxConverter#RATE_SCALE} decimals
 * @param source where it came from
 * @param setBy the platform admin who set a MANUAL rate; null otherwise
 * @param createdAt when it was stored
 */
public record FxRate(long id, String baseCurrency, String quoteCurrency, LocalDate rateDate, BigDecimal rate, FxSource source, @Nullable String setBy,
                     Instant createdAt) {

    public FxRate {
        Objects.requireNonNull(baseCurrency, "baseCurrency is null");
        Objects.requireNonNull(quoteCurrency, "quoteCurrency is null");
        Objects.requireNonNull(rateDate, "rateDate is null");
        Objects.requireNonNull(rate, "rate is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
    }
}
