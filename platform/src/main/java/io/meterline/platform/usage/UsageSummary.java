package io.meterline.platform.usage;

import io.meterline.platform.common.Money;
import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Usage totals over a range of days, as {@code usageSummary} answers. Field names follow the schema: {@code cost} and
 * {@code estimatedCost} are in the organization's billing currency, {@code originalCost} and {@code originalEstimatedCost}
 * one amount per currency the usage was priced in.
 */
public record UsageSummary(LocalDate from, LocalDate to, String timeZone, long requests, long errorRequests, long unpricedRequests,
                           long unconvertedRequests, long tokens, long characters, BigDecimal minutes, long images, List<ProviderMeterQuantity> meters,
                           Money cost, List<Money> originalCost, Money estimatedCost, List<Money> originalEstimatedCost, List<UsageGroup> byProvider,
                           List<UsageGroup> byModel, Instant asOf) {

    /** One provider's total of one meter. */
    public record ProviderMeterQuantity(String provider, String meter, String unit, BigDecimal quantity) {
    }

    /** A meter and its quantity. */
    public record MeterQuantity(String meter, BigDecimal quantity) {
    }

    /** Totals of one provider, or one model of it. */
    public record UsageGroup(String provider, @Nullable String model, long requests, long errorRequests, long unpricedRequests, long tokens,
                             List<MeterQuantity> meters, Money cost, List<Money> originalCost) {
    }
}
