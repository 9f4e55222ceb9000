package io.meterline.platform.usage;

import io.meterline.plugin.spi.PricedLine;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.UsageException;
import io.meterline.plugin.spi.UsageInput;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.UnpricedUsagePolicy;
import io.meterline.platform.common.Money;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.pricing.PriceBook;
import io.meterline.platform.pricing.RateRecord;
import io.meterline.platform.security.Secrets;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Normalises an event with its provider plugin and prices each meter with the rate version in
 * effect at the event's own timestamp, then applies the organization's cost factor and discount.
 */
@Singleton
class UsagePricer {

    private final PluginRegistry plugins;
    private final PriceBook priceBook;

    UsagePricer(PluginRegistry plugins, PriceBook priceBook) {
        this.plugins = plugins;
        this.priceBook = priceBook;
    }

    /** Normalises and prices a batch, or throws with every problem found. */
    List<PricedEvent> price(Organization organization, List<UsageEventDraft> drafts) {
        priceBook.refreshIfChanged();
        List<UsageError> errors = new ArrayList<>();
        List<PricedEvent> priced = new ArrayList<>(drafts.size());
        for (UsageEventDraft draft : drafts) {
            Optional<ProviderPlugin> plugin = plugins.find(draft.provider());
            if (plugin.isEmpty()) {
                errors.add(new UsageError(draft.index(), "provider", UsageErrorCode.UNKNOWN_PROVIDER, "No provider plugin " + draft.provider() + " is installed"));
                continue;
            }
            try {
                Map<String, BigDecimal> quantities = plugin.get().normalize(new UsageInput(draft.model(), draft.meters(), draft.nativeUsage()));
                PricedEvent event = price(organization, plugin.get(), draft, quantities);
                if (!event.priced() && organization.unpricedUsagePolicy() == UnpricedUsagePolicy.REJECT) {
                    errors.add(new UsageError(draft.index(), "model", UsageErrorCode.UNPRICED, "No price covers " + draft.provider() + " " + draft.model()
                            + " at " + draft.timestamp() + " and the organization refuses unpriced usage"));
                    continue;
                }
                priced.add(event);
            }
            catch (UsageException e) {
                errors.add(new UsageError(draft.index(), e.field(), UsageErrorCode.valueOf(e.code().name()), e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new UsageBatchRejectedException(errors);
        }
        return priced;
    }

    /** Prices normalised quantities with the rates in effect at the event's time. */
    PricedEvent price(Organization organization, ProviderPlugin plugin, UsageEventDraft draft, Map<String, BigDecimal> quantities) {
        List<StoredLine> lines = priceLines(organization, plugin, draft.provider(), draft.model(), draft.timestamp(), quantities);
        BigDecimal cost = cost(lines);
        return new PricedEvent(draft, lines, cost, cost == null ? null : currency(lines, organization), contentHash(draft, quantities), null, false);
    }

    List<StoredLine> priceLines(Organization organization, ProviderPlugin plugin, String provider, String model, Instant timestamp,
                                Map<String, BigDecimal> quantities) {
        BigDecimal factor = organization.priceFactor();
        boolean listPrice = factor.compareTo(BigDecimal.ONE) == 0;
        List<StoredLine> lines = new ArrayList<>();
        PriceBook.RatesAt rates = priceBook.at(provider, timestamp);
        for (PricedLine line : plugin.price(model, quantities, rates)) {
            String label = PluginRegistry.label(plugin);
            if (!line.priced()) {
                lines.add(new StoredLine(line.meter(), line.quantity(), line.billableQuantity(), null, null, null, null, null, null, label));
                continue;
            }
            RateRecord rate = rates.record(model, line.meter()).orElseThrow();
            lines.add(new StoredLine(line.meter(), line.quantity(), line.billableQuantity(), rate.unitPrice(), rate.perQuantity(), rate.currency(),
                    Money.round(listPrice ? line.amount() : line.amount().multiply(factor)), rate.id(), rate.version(), label));
        }
        return List.copyOf(lines);
    }

    static BigDecimal cost(List<StoredLine> lines) {
        BigDecimal total = Money.round(BigDecimal.ZERO);
        for (StoredLine line : lines) {
            if (!line.priced()) {
                return null;
            }
            total = total.add(line.amount());
        }
        return total;
    }

    /** The currency of priced lines; an event without chargeable meters costs zero in the billing currency. */
    static String currency(List<StoredLine> lines, Organization organization) {
        return lines.stream().filter(StoredLine::priced).map(StoredLine::currency).findFirst().orElse(organization.billingCurrency());
    }

    /** A digest of everything the client said about the event, in a fixed order, so equal content always hashes equally. */
    private static String contentHash(UsageEventDraft draft, Map<String, BigDecimal> quantities) {
        StringBuilder content = new StringBuilder(256)
                .append(draft.timestamp()).append('\u0000').append(draft.provider()).append('\u0000').append(draft.model())
                .append('\u0000').append(draft.requests()).append('\u0000').append(draft.status()).append('\u0000').append(draft.durationMs());
        new TreeMap<>(quantities).forEach((meter, quantity) -> content.append('\u0000').append(meter).append('=')
                .append(quantity.signum() == 0 ? "0" : quantity.stripTrailingZeros().toPlainString()));
        for (String value : draft.dimensions().values()) {
            content.append('\u0000').append(value);
        }
        content.append('\u0000').append(draft.dimensions().tagsJson());
        return Secrets.sha256(content.toString());
    }
}
