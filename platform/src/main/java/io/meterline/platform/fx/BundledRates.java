package io.meterline.platform.fx;

import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the past rates shipped with the server ({@code meterline.fx.bundled-resource}, a trimmed copy
 * of the ECB's history in its own XML format) at start when they are missing, so an embedded or demo
 * start converts without the network. Rates of a day that already has one are left alone, so starting
 * again, or on several instances at once, changes nothing; the bundled rates are marked BUNDLED.
 */
@Singleton
public class BundledRates {

    private static final Logger LOG = LoggerFactory.getLogger(BundledRates.class);

    private final FxStore store;
    private final FxConverter converter;
    private final FxConfiguration configuration;
    private final Clock clock;
    private final ApplicationEventPublisher<FxRatesStored> ratesStored;

    public BundledRates(FxStore store, FxConverter converter, FxConfiguration configuration, Clock clock,
                        ApplicationEventPublisher<FxRatesStored> ratesStored) {
        this.ratesStored = ratesStored;
        this.store = store;
        this.converter = converter;
        this.configuration = configuration;
        this.clock = clock;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        if (configuration.bundledResource() != null) {
            load();
        }
    }

    /**
     * Stores the bundled rates that are missing.
     *
     * @return how many were stored
     */
    public int load() {
        SortedMap<LocalDate, Map<String, BigDecimal>> rates = read(configuration.bundledResource());
        LocalDate newest = rates.lastKey();
        if (store.countOn(newest) >= rates.get(newest).size()) {
            // The file is stored in one transaction: its newest day present means all of it is.
            return 0;
        }
        List<FxStore.NewRate> newRates = new ArrayList<>();
        rates.forEach((day, byCurrency) -> byCurrency.forEach((currency, rate) -> newRates.add(new FxStore.NewRate(currency, day, rate, FxSource.BUNDLED, null))));
        int stored = store.insertAllIfAbsent(newRates, clock.instant());
        converter.invalidateAll();
        if (stored > 0) {
            Set<String> currencies = new TreeSet<>();
            rates.values().forEach(byCurrency -> currencies.addAll(byCurrency.keySet()));
            ratesStored.publishEvent(new FxRatesStored(currencies, FxSource.BUNDLED.name()));
        }
        LOG.info("Stored {} bundled exchange rates from {} to {}", stored, rates.firstKey(), newest);
        return stored;
    }

    private SortedMap<LocalDate, Map<String, BigDecimal>> read(String resource) {
        try (InputStream input = BundledRates.class.getClassLoader().getResourceAsStream(resource)) {
            if (input == null) {
                throw new IllegalStateException("meterline.fx.bundled-resource " + resource + " is not on the classpath");
            }
            // Our own file, read before the clock may be set: no day in it counts as "in the future".
            return EcbRatesParser.parse(input.readAllBytes(), LocalDate.MAX);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (FxLoadException e) {
            throw new IllegalStateException("meterline.fx.bundled-resource " + resource + " is not reference rates XML: " + e.getMessage(), e);
        }
    }
}
