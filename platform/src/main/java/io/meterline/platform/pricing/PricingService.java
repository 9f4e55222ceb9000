package io.meterline.platform.pricing;

import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Adds rate versions to the price book. */
@Singleton
public class PricingService {

    /** The GraphQL type name of rates. */
    public static final String RATE_TYPE = "Rate";
    private static final int MAX_PRICE_SCALE = 12;

    private final PluginRegistry plugins;
    private final PriceBook priceBook;
    private final RateRepository rates;
    private final TenantScope tenantScope;
    private final ApplicationEventPublisher<RateSet> rateSetEvents;
    private final Clock clock;

    public PricingService(PluginRegistry plugins, PriceBook priceBook, RateRepository rates, TenantScope tenantScope, ApplicationEventPublisher<RateSet> rateSetEvents,
                          Clock clock) {
        this.plugins = plugins;
        this.priceBook = priceBook;
        this.rates = rates;
        this.tenantScope = tenantScope;
        this.rateSetEvents = rateSetEvents;
        this.clock = clock;
    }

    /** A new rate version. */
    public record NewRate(String provider, String model, String meter, BigDecimal unitPrice, @Nullable Long per,
                          @Nullable String currencyCode, @Nullable Instant effectiveFrom) {
    }

    /** A new rate version and how many unpriced events it priced. */
    public record RateChange(RateRecord rate, long repricedEventCount) {
    }

    /**
     * Stores a new version and publishes {@link RateSet}, whose listener (usage) prices the unpriced
     * events it covers, all in one transaction.
     */
    @Transactional
    public RateChange setRate(Viewer viewer, NewRate input) {
        tenantScope.requirePlatformAdmin(viewer);
        List<UserError> errors = new ArrayList<>();
        Optional<ProviderPlugin> plugin = plugins.find(input.provider());
        if (plugin.isEmpty()) {
            errors.add(UserError.of("provider", PricingErrorCode.NOT_FOUND, "No provider plugin " + input.provider() + " is installed"));
        }
        else if (!plugin.get().meterKeys().contains(input.meter())) {
            errors.add(UserError.of("meter", PricingErrorCode.NOT_FOUND, "Provider " + input.provider() + " has no meter " + input.meter()));
        }
        if (input.model() == null || input.model().isBlank() || input.model().length() > 128) {
            errors.add(UserError.of("model", PricingErrorCode.LENGTH, "Model must be 1 to 128 characters"));
        }
        if (input.unitPrice().signum() < 0) {
            errors.add(UserError.of("unitPrice", PricingErrorCode.OUT_OF_RANGE, "Unit price must not be negative"));
        }
        else if (input.unitPrice().stripTrailingZeros().scale() > MAX_PRICE_SCALE || input.unitPrice().precision() - input.unitPrice().scale() > 18) {
            errors.add(UserError.of("unitPrice", PricingErrorCode.OUT_OF_RANGE, "Unit price keeps at most 12 decimals and 18 integer digits"));
        }
        long per = input.per() == null ? 1 : input.per();
        if (per < 1) {
            errors.add(UserError.of("per", PricingErrorCode.OUT_OF_RANGE, "Per must be at least 1"));
        }
        Optional<String> providerCurrency = rates.findFirstByProviderOrderByIdDesc(input.provider()).map(RateRecord::currency);
        String currency = input.currencyCode() != null ? input.currencyCode() : providerCurrency.orElse(null);
        if (currency == null) {
            errors.add(UserError.of("currencyCode", PricingErrorCode.BLANK, "Name the currency: provider " + input.provider() + " has no rate yet"));
        }
        else if (providerCurrency.isPresent() && !providerCurrency.get().equals(currency)) {
            // One currency per provider keeps every event's lines, and so its cost, in one currency.
            errors.add(UserError.of("currencyCode", PricingErrorCode.INVALID, "Provider " + input.provider() + " is priced in " + providerCurrency.get()));
        }
        UserInputException.throwIfAny(errors);
        Instant now = clock.instant();
        int version = rates.maxVersion(input.provider(), input.model(), input.meter()) + 1;
        RateRecord saved = rates.save(new RateRecord(null, input.provider(), input.model(), input.meter(), input.unitPrice(), per, currency, version,
                input.effectiveFrom() == null ? now : input.effectiveFrom(), now, viewer.email()));
        priceBook.refresh();
        RateSet event = new RateSet(saved, viewer.email());
        rateSetEvents.publishEvent(event);
        return new RateChange(saved, event.repricedEventCount());
    }
}
