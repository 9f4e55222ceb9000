package io.meterline.platform.pricing;

import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.Rate;
import io.meterline.plugin.spi.RateLookup;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.annotation.Order;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Versioned rates by provider, model and meter, held in memory and reloaded whenever another
 * instance (or this one) adds a version. An event is priced with the version in effect at its own
 * timestamp, so a new version never changes an earlier event's cost.
 */
@Singleton
public class PriceBook {

    /** When plugin default rates take effect: before any event. */
    static final Instant BEGINNING = Instant.parse("2000-01-01T00:00:00Z");

    private final RateRepository rates;
    private final PluginRegistry plugins;
    private final Clock clock;
    private volatile Snapshot snapshot = new Snapshot(-1, Map.of());

    public PriceBook(RateRepository rates, PluginRegistry plugins, Clock clock) {
        this.rates = rates;
        this.plugins = plugins;
        this.clock = clock;
    }

    /**
     * Stores each plugin's default rates as version 1 where the price book has no rate yet. Each
     * rate is its own statement: when several instances start on an empty database together, the
     * unique (provider, model, meter, version) key lets one of them win and the others skip.
     */
    @EventListener
    @Order(-100)
    void seedDefaults(StartupEvent event) {
        for (ProviderPlugin plugin : plugins.all()) {
            for (Rate rate : plugin.defaultRates()) {
                if (!rates.existsByProviderAndModelAndMeter(plugin.id(), rate.model(), rate.meter())) {
                    try {
                        rates.save(new RateRecord(null, plugin.id(), rate.model(), rate.meter(), rate.unitPrice(), rate.per().longValueExact(),
                                rate.currency(), 1, BEGINNING, clock.instant(), "plugin:" + PluginRegistry.label(plugin)));
                    }
                    catch (DataAccessException e) {
                        if (!rates.existsByProviderAndModelAndMeter(plugin.id(), rate.model(), rate.meter())) {
                            throw e;
                        }
                    }
                }
            }
        }
        refresh();
    }

    /** Reloads when a version was added since the last load. Cheap: one indexed MAX(id). */
    public void refreshIfChanged() {
        if (rates.maxId() != snapshot.maxId()) {
            refresh();
        }
    }

    public synchronized void refresh() {
        Map<Key, List<RateRecord>> byKey = new HashMap<>();
        long maxId = 0;
        for (RateRecord record : rates.findAllOrderById()) {
            byKey.computeIfAbsent(new Key(record.provider(), record.model(), record.meter()), key -> new ArrayList<>()).add(record);
            maxId = Math.max(maxId, record.id());
        }
        byKey.values().forEach(list -> list.sort(Comparator.comparing(RateRecord::effectiveFrom).thenComparing(RateRecord::version)));
        snapshot = new Snapshot(maxId, Map.copyOf(byKey));
    }

    /** The rates of one provider in effect at a time, read from one consistent snapshot. */
    public RatesAt at(String provider, Instant time) {
        return new RatesAt(snapshot, provider, time);
    }

    /** A provider's rates at one time: what a plugin prices with, and the stored versions behind them. */
    public static final class RatesAt implements RateLookup {

        private final Snapshot snapshot;
        private final String provider;
        private final Instant time;

        private RatesAt(Snapshot snapshot, String provider, Instant time) {
            this.snapshot = snapshot;
            this.provider = provider;
            this.time = time;
        }

        @Override
        public Optional<Rate> find(String model, String meter) {
            return record(model, meter).map(RateRecord::toRate);
        }

        /** The stored version behind {@link #find}. */
        public Optional<RateRecord> record(String model, String meter) {
            return snapshot.find(provider, model, meter, time);
        }
    }

    /** The stored version in effect for a model's meter at a time, falling back to the provider's any-model rate. */
    public Optional<RateRecord> find(String provider, String model, String meter, Instant time) {
        return snapshot.find(provider, model, meter, time);
    }

    /** Every stored version of a provider's rates, newest first. */
    public List<RateRecord> history(String provider) {
        return rates.history(provider);
    }

    /** The versions in effect now, one per model and meter. */
    public List<RateRecord> current(String provider) {
        Instant now = clock.instant();
        List<RateRecord> result = new ArrayList<>();
        snapshot.byKey().forEach((key, versions) -> {
            if (key.provider().equals(provider)) {
                Snapshot.latestAt(versions, now).ifPresent(result::add);
            }
        });
        result.sort(Comparator.comparing(RateRecord::model).thenComparing(RateRecord::meter));
        return result;
    }

    /** The version in effect after a given version, if any (it ends the given one). */
    public Optional<RateRecord> successor(RateRecord record) {
        List<RateRecord> versions = snapshot.byKey().getOrDefault(new Key(record.provider(), record.model(), record.meter()), List.of());
        return versions.stream()
                .filter(other -> other.effectiveFrom().isAfter(record.effectiveFrom())
                        || (other.effectiveFrom().equals(record.effectiveFrom()) && other.version() > record.version()))
                .findFirst();
    }

    private record Key(String provider, String model, String meter) {
    }

    private record Snapshot(long maxId, Map<Key, List<RateRecord>> byKey) {

        Optional<RateRecord> find(String provider, String model, String meter, Instant time) {
            Optional<RateRecord> specific = latestAt(byKey.getOrDefault(new Key(provider, model, meter), List.of()), time);
            return specific.isPresent() ? specific : latestAt(byKey.getOrDefault(new Key(provider, Rate.ANY_MODEL, meter), List.of()), time);
        }

        static Optional<RateRecord> latestAt(List<RateRecord> versions, Instant time) {
            RateRecord found = null;
            for (RateRecord version : versions) {
                if (version.effectiveFrom().isAfter(time)) {
                    break;
                }
                found = version;
            }
            return Optional.ofNullable(found);
        }
    }
}
