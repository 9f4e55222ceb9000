package io.meterline.plugin.testkit;

import io.meterline.plugin.spi.ConfigProperty;
import io.meterline.plugin.spi.Meter;
import io.meterline.plugin.spi.Model;
import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.PricedLine;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;
import io.meterline.plugin.spi.Rate;
import io.meterline.plugin.spi.RateLookup;
import io.meterline.plugin.spi.UsageException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A small provider whose every part can be broken on purpose, so each test of the kit shows that one
 * rule catches one defect. The unbroken fake is correct and registered with ServiceLoader.
 */
public final class FakeProviderPluginFactory implements ProviderPluginFactory {

    private static final List<ConfigProperty> PROPERTIES = List.of(
            new ConfigProperty("region", "Which region's prices apply.", "eu", false));

    private final Parts parts;

    /** The correct fake, as ServiceLoader creates it. */
    public FakeProviderPluginFactory() {
        this(Parts.correct());
    }

    FakeProviderPluginFactory(Parts parts) {
        this.parts = Objects.requireNonNull(parts, "parts is null");
    }

    /** A fake built from the correct parts with one change. */
    static FakeProviderPluginFactory brokenBy(UnaryOperator<Parts> breakage) {
        return new FakeProviderPluginFactory(breakage.apply(Parts.correct()));
    }

    @Override
    public String id() {
        return parts.factoryId();
    }

    @Override
    public List<ConfigProperty> configProperties() {
        return PROPERTIES;
    }

    @Override
    public ProviderPlugin create(PluginConfig config) {
        if (parts.checksConfiguration()) {
            config.requireOnly(configProperties());
        }
        return new FakePlugin(parts);
    }

    /**
     * Everything the fake is made of.
     *
     * @param factoryId the factory id
     * @param pluginId the plugin id
     * @param version the plugin version
     * @param displayName the display name
     * @param meters the meters
     * @param models the models
     * @param rates the default rates
     * @param checksConfiguration whether create() rejects unknown keys
     * @param validates whether normalize() validates quantities
     * @param rejectsFractions whether validation rejects fractions of integral meters
     * @param unpricedIsFree whether a meter without a rate is priced at zero (the defect the kit must catch)
     * @param billableFactor what billableQuantity() multiplies the quantity by
     */
    record Parts(String factoryId, String pluginId, String version, String displayName, List<Meter> meters,
            List<Model> models, List<Rate> rates, boolean checksConfiguration, boolean validates,
            boolean rejectsFractions, boolean unpricedIsFree, BigDecimal billableFactor) {

        static Parts correct() {
            return new Parts("fake", "fake", "1.0.0", "Fake provider",
                    List.of(new Meter("requests", "request", true, "Calls made."),
                            new Meter("seconds", "second", false, "Time spent.")),
                    List.of(new Model("small", "Small"), new Model("large", "Large")),
                    List.of(Rate.of(Rate.ANY_MODEL, "requests", "0.01", 1, "USD"),
                            Rate.of("large", "requests", "0.05", 1, "USD"),
                            Rate.of("large", "seconds", "0.30", 60, "USD")),
                    true, true, true, false, BigDecimal.ONE);
        }

        Parts withFactoryId(String value) {
            return new Parts(value, value, version, displayName, meters, models, rates, checksConfiguration, validates, rejectsFractions, unpricedIsFree, billableFactor);
        }

        Parts withPluginId(String value) {
            return new Parts(factoryId, value, version, displayName, meters, models, rates, checksConfiguration, validates, rejectsFractions, unpricedIsFree, billableFactor);
        }

        Parts withVersion(String value) {
            return new Parts(factoryId, pluginId, value, displayName, meters, models, rates, checksConfiguration, validates, rejectsFractions, unpricedIsFree, billableFactor);
        }

        Parts withDisplayName(String value) {
            return new Parts(factoryId, pluginId, version, value, meters, models, rates, checksConfiguration, validates, rejectsFractions, unpricedIsFree, billableFactor);
        }

        Parts withMeters(List<Meter> value) {
            return new Parts(factoryId, pluginId, version, displayName, value, models, rates, checksConfiguration, validates, rejectsFractions, unpricedIsFree, billableFactor);
        }

        Parts withModels(List<Model> value) {
            return new Parts(factoryId, pluginId, version, displayName, meters, value, rates, checksConfiguration, validates, rejectsFractions, unpricedIsFree, billableFactor);
        }

        Parts withRates(List<Rate> value) {
            return new Parts(factoryId, pluginId, version, displayName, meters, models, value, checksConfiguration, validates, rejectsFractions, unpricedIsFree, billableFactor);
        }

        Parts withoutConfigurationCheck() {
            return new Parts(factoryId, pluginId, version, displayName, meters, models, rates, false, validates, rejectsFractions, unpricedIsFree, billableFactor);
        }

        Parts withoutValidation() {
            return new Parts(factoryId, pluginId, version, displayName, meters, models, rates, checksConfiguration, false, rejectsFractions, unpricedIsFree, billableFactor);
        }

        Parts withFractionsAccepted() {
            return new Parts(factoryId, pluginId, version, displayName, meters, models, rates, checksConfiguration, validates, false, unpricedIsFree, billableFactor);
        }

        Parts withUnpricedAsFree() {
            return new Parts(factoryId, pluginId, version, displayName, meters, models, rates, checksConfiguration, validates, rejectsFractions, true, billableFactor);
        }

        Parts withBillableFactor(String value) {
            return new Parts(factoryId, pluginId, version, displayName, meters, models, rates, checksConfiguration, validates, rejectsFractions, unpricedIsFree, new BigDecimal(value));
        }
    }

    private static final class FakePlugin implements ProviderPlugin {

        private final Parts parts;

        FakePlugin(Parts parts) {
            this.parts = parts;
        }

        @Override
        public String id() {
            return parts.pluginId();
        }

        @Override
        public String version() {
            return parts.version();
        }

        @Override
        public String displayName() {
            return parts.displayName();
        }

        @Override
        public List<Meter> meters() {
            return parts.meters();
        }

        @Override
        public List<Model> models() {
            return parts.models();
        }

        @Override
        public List<Rate> defaultRates() {
            return parts.rates();
        }

        @Override
        public void validate(Map<String, BigDecimal> quantities) throws UsageException {
            if (!parts.validates()) {
                return;
            }
            if (parts.rejectsFractions()) {
                ProviderPlugin.super.validate(quantities);
                return;
            }
            // The defect: fractions are rounded away before the real checks see them.
            Map<String, BigDecimal> whole = new TreeMap<>();
            quantities.forEach((meter, quantity) -> whole.put(meter, quantity.setScale(0, RoundingMode.CEILING)));
            ProviderPlugin.super.validate(whole);
        }

        @Override
        public BigDecimal billableQuantity(String meter, BigDecimal quantity) {
            return quantity.multiply(parts.billableFactor());
        }

        @Override
        public List<PricedLine> price(String model, Map<String, BigDecimal> quantities, RateLookup rates) {
            if (!parts.unpricedIsFree()) {
                return ProviderPlugin.super.price(model, quantities, rates);
            }
            // The defect: a missing rate silently becomes a zero-price rate.
            RateLookup free = (modelId, meter) -> rates.find(modelId, meter)
                    .or(() -> Optional.of(new Rate(modelId, meter, BigDecimal.ZERO, BigDecimal.ONE, "USD", 0)));
            return ProviderPlugin.super.price(model, quantities, free);
        }
    }
}
