package io.meterline.platform.pricing;

import io.meterline.plugin.spi.Rate;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.math.BigDecimal;
import java.time.Instant;

/** One stored version of a rate. */
@MappedEntity("rate")
public record RateRecord(
        @Id @GeneratedValue @Nullable Long id,
        String provider,
        String model,
        String meter,
        BigDecimal unitPrice,
        long perQuantity,
        String currency,
        int version,
        Instant effectiveFrom,
        Instant createdAt,
        String createdBy) {

    /** The rate as plugins see it. */
    public Rate toRate() {
        return new Rate(model, meter, unitPrice, BigDecimal.valueOf(perQuantity), currency, version);
    }
}
