package io.meterline.platform.usage;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A stored usage event as the API shows it: billingCost, billingCurrency, fxRate and fxRateDate are the cost
 * in the billing currency and what converted it, null while unpriced or unconverted.
 */
public record UsageEventView(long id, long organizationId, String eventId, Instant timestamp, Instant receivedAt, String provider, String model,
                             String status, @Nullable Long durationMs, int requests, @Nullable Long apiKeyId, Dimensions dimensions,
                             boolean priced, @Nullable BigDecimal cost, @Nullable String currency, List<StoredLine> lines,
                             @Nullable BigDecimal billingCost, @Nullable String billingCurrency, @Nullable BigDecimal fxRate, @Nullable LocalDate fxRateDate) {

    /** The rate the cost was converted at, as {@code UsageEvent.exchangeRate} shows it. */
    public record ExchangeRate(String from, String to, BigDecimal rate, LocalDate rateDate) {
    }
}
