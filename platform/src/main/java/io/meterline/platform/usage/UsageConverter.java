package io.meterline.platform.usage;

import io.meterline.platform.account.BillingCurrencyHistory;
import io.meterline.platform.account.Organization;
import io.meterline.platform.fx.Conversion;
import io.meterline.platform.fx.FxConverter;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Converts priced usage into the organization's billing currency, through {@link FxConverter} (the
 * one place money changes currency). An event converts at the rate of its UTC day, into the billing
 * currency in effect on that day: the UTC day, not the organization's local one, so the figure does
 * not depend on a time zone the organization may change later, and matches the day the ECB's
 * rates (published for Frankfurt working days) are looked up by.
 */
@Singleton
class UsageConverter {

    private final FxConverter fx;
    private final BillingCurrencyHistory billingCurrencies;
    private final UsageConversionConfiguration configuration;

    UsageConverter(FxConverter fx, BillingCurrencyHistory billingCurrencies, UsageConversionConfiguration configuration) {
        this.fx = fx;
        this.billingCurrencies = billingCurrencies;
        this.configuration = configuration;
    }

    /** The day whose rate converts usage that happened at {@code timestamp}. */
    static LocalDate rateDay(Instant timestamp) {
        return LocalDate.ofInstant(timestamp, ZoneOffset.UTC);
    }

    /** The schedule conversions of this organization read; one query, so callers read it once per batch. */
    BillingCurrencyHistory.Schedule schedule(Organization organization) {
        return billingCurrencies.of(organization);
    }

    /** The batch with each priced event converted; an event no rate covers yet stays unconverted. */
    List<PricedEvent> convert(Organization organization, List<PricedEvent> events) {
        if (!configuration.atIngestion()) {
            return events;
        }
        BillingCurrencyHistory.Schedule schedule = schedule(organization);
        List<PricedEvent> converted = new ArrayList<>(events.size());
        for (PricedEvent event : events) {
            converted.add(event.priced() ? event.withBilling(convert(schedule, event.cost(), event.currency(), event.draft().timestamp()).orElse(null)) : event);
        }
        return converted;
    }

    /** A cost converted at the rate of its UTC day into that day's billing currency; empty while no rate covers the day. */
    Optional<Conversion> convert(BillingCurrencyHistory.Schedule schedule, BigDecimal cost, String currency, Instant timestamp) {
        LocalDate day = rateDay(timestamp);
        return fx.convert(cost, currency, schedule.on(day), day);
    }
}
