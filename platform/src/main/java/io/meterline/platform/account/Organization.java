package io.meterline.platform.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;

/** A client company: the tenant. */
@MappedEntity("organization")
public record Organization(
        @Id @GeneratedValue @Nullable Long id,
        String name,
        String slug,
        String billingCurrency,
        String timeZone,
        UnpricedUsagePolicy unpricedUsagePolicy,
        BigDecimal costFactor,
        BigDecimal discountPercent,
        Instant createdAt) {

    /** What list prices are multiplied by: the cost factor less the discount. */
    public BigDecimal priceFactor() {
        return costFactor.multiply(BigDecimal.ONE.subtract(discountPercent.movePointLeft(2)));
    }

    public ZoneId zone() {
        return ZoneId.of(timeZone);
    }

    public Organization withPricing(BigDecimal newCostFactor, BigDecimal newDiscountPercent, UnpricedUsagePolicy newPolicy) {
        return new Organization(id, name, slug, billingCurrency, timeZone, newPolicy, newCostFactor, newDiscountPercent, createdAt);
    }
}
