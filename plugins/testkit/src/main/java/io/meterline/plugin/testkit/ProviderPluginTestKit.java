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
import io.meterline.plugin.spi.UsageInput;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The checks every provider plugin must pass, first-party or partner-written.
 *
 * <p>Call {@link #verify(ProviderPluginFactory)} and {@link #verifyDiscoverable(Class)} from one test
 * of the plugin. The kit depends on the SPI alone and reports a failure as an {@link AssertionError}
 * naming the plugin and the broken rule, so it works under any test framework.
 *
 * <p>The kit checks the contract the platform relies on, not a provider's prices: ids and keys the
 * platform can store and route, default rates that can actually be found, usage validation that
 * rejects bad input with the documented codes, and pricing that leaves a meter without a rate
 * unpriced rather than free.
 */
public final class ProviderPluginTestKit {

    private static final Pattern PROVIDER_ID = Pattern.compile("[a-z0-9-]+");
    private static final Pattern METER_KEY = Pattern.compile("[a-z_]+");
    private static final Pattern SEMANTIC_VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?");

    /** Keys and ids no plugin declares, so the kit can ask for something unknown. */
    private static final String UNKNOWN_METER = "meterline_testkit_unknown_meter";
    private static final String UNKNOWN_CONFIG_KEY = "meterline-testkit-unknown-key";
    private static final String UNLISTED_MODEL = "meterline-testkit-unlisted-model";

    private ProviderPluginTestKit() {
    }

    /**
     * Runs every check against a factory and the plugin it creates from an empty configuration.
     *
     * @param factory the factory under test
     * @throws AssertionError describing the first broken rule
     */
    public static void verify(ProviderPluginFactory factory) {
        Objects.requireNonNull(factory, "factory is null");
        String factoryId = factory.id();
        check(factoryId != null && PROVIDER_ID.matcher(factoryId).matches(),
                "factory " + factory.getClass().getName() + " has id '" + factoryId + "'; an id must match [a-z0-9-]+");
        verifyConfigProperties(factory);

        ProviderPlugin plugin;
        try {
            plugin = factory.create(PluginConfig.empty());
        }
        catch (RuntimeException exception) {
            throw failure(factoryId, "create(PluginConfig.empty()) must work with every default, but threw " + exception, exception);
        }
        check(plugin != null, factoryId, "create(PluginConfig.empty()) returned null");

        verifyIdentity(factoryId, plugin);
        Map<String, Meter> meters = verifyMeters(factoryId, plugin);
        Set<String> models = verifyModels(factoryId, plugin);
        verifyDefaultRates(factoryId, plugin, meters.keySet(), models);
        verifyNormalize(factoryId, plugin, meters);
        verifyPricing(factoryId, plugin, meters);
        verifyUnknownConfigurationRejected(factory);
    }

    /**
     * Checks that {@link ServiceLoader} finds the factory class, which it does only when the class is
     * listed in {@code META-INF/services/io.meterline.plugin.spi.ProviderPluginFactory} and has a
     * public no-argument constructor.
     *
     * @param factoryClass the factory class
     * @throws AssertionError when the class is not discovered
     */
    public static void verifyDiscoverable(Class<? extends ProviderPluginFactory> factoryClass) {
        Objects.requireNonNull(factoryClass, "factoryClass is null");
        List<String> found;
        try {
            found = ServiceLoader.load(ProviderPluginFactory.class, factoryClass.getClassLoader()).stream()
                    .map(provider -> provider.type().getName())
                    .collect(Collectors.toUnmodifiableList());
        }
        catch (ServiceConfigurationError error) {
            throw new AssertionError("ServiceLoader cannot read the ProviderPluginFactory registrations: " + error.getMessage(), error);
        }
        check(found.contains(factoryClass.getName()),
                factoryClass.getName() + " is not discoverable: list it in META-INF/services/"
                        + ProviderPluginFactory.class.getName() + " (found " + found + ")");
        try {
            ServiceLoader.load(ProviderPluginFactory.class, factoryClass.getClassLoader()).stream()
                    .filter(provider -> provider.type().equals(factoryClass))
                    .findFirst()
                    .orElseThrow()
                    .get();
        }
        catch (ServiceConfigurationError error) {
            throw new AssertionError(factoryClass.getName() + " is listed but ServiceLoader cannot instantiate it: " + error.getMessage(), error);
        }
    }

    private static void verifyConfigProperties(ProviderPluginFactory factory) {
        List<ConfigProperty> properties = factory.configProperties();
        check(properties != null, factory.id(), "configProperties() returned null");
        Set<String> keys = new HashSet<>();
        for (ConfigProperty property : properties) {
            check(!property.key().isBlank(), factory.id(), "a configuration property has a blank key");
            check(keys.add(property.key()), factory.id(), "configuration property " + property.key() + " is declared twice");
            check(!property.description().isBlank(), factory.id(), "configuration property " + property.key() + " has no description");
        }
        check(!keys.contains(UNKNOWN_CONFIG_KEY), factory.id(), "declares the test kit's reserved key " + UNKNOWN_CONFIG_KEY);
    }

    private static void verifyIdentity(String factoryId, ProviderPlugin plugin) {
        check(factoryId.equals(plugin.id()), factoryId, "plugin.id() is '" + plugin.id() + "' but the factory id is '" + factoryId + "'");
        check(plugin.version() != null && SEMANTIC_VERSION.matcher(plugin.version()).matches(),
                factoryId, "version '" + plugin.version() + "' is not a semantic version such as 1.0.0");
        check(plugin.displayName() != null && !plugin.displayName().isBlank(), factoryId, "displayName() is blank");
    }

    private static Map<String, Meter> verifyMeters(String factoryId, ProviderPlugin plugin) {
        List<Meter> meters = plugin.meters();
        check(meters != null && !meters.isEmpty(), factoryId, "meters() is empty; a plugin must charge for something");
        Map<String, Meter> byKey = new TreeMap<>();
        for (Meter meter : meters) {
            check(METER_KEY.matcher(meter.key()).matches(), factoryId, "meter key '" + meter.key() + "' must match [a-z_]+");
            check(byKey.put(meter.key(), meter) == null, factoryId, "meter " + meter.key() + " is declared twice");
            check(!meter.unit().isBlank(), factoryId, "meter " + meter.key() + " has a blank unit");
        }
        check(!byKey.containsKey(UNKNOWN_METER), factoryId, "declares the test kit's reserved meter " + UNKNOWN_METER);
        return byKey;
    }

    private static Set<String> verifyModels(String factoryId, ProviderPlugin plugin) {
        List<Model> models = plugin.models();
        check(models != null, factoryId, "models() returned null");
        Set<String> ids = new HashSet<>();
        for (Model model : models) {
            check(!model.id().isBlank(), factoryId, "a model has a blank id");
            check(!Rate.ANY_MODEL.equals(model.id()), factoryId, "a model must not use the id '" + Rate.ANY_MODEL + "', which means any model");
            check(ids.add(model.id()), factoryId, "model " + model.id() + " is declared twice");
        }
        check(!ids.contains(UNLISTED_MODEL), factoryId, "declares the test kit's reserved model " + UNLISTED_MODEL);
        return ids;
    }

    private static void verifyDefaultRates(String factoryId, ProviderPlugin plugin, Set<String> meters, Set<String> models) {
        List<Rate> rates = plugin.defaultRates();
        check(rates != null, factoryId, "defaultRates() returned null");
        Set<String> modelAndMeter = new HashSet<>();
        for (Rate rate : rates) {
            String name = "default rate " + rate.model() + "/" + rate.meter();
            check(meters.contains(rate.meter()), factoryId, name + " refers to unknown meter " + rate.meter() + "; known: " + meters);
            check(Rate.ANY_MODEL.equals(rate.model()) || models.contains(rate.model()),
                    factoryId, name + " refers to unknown model " + rate.model() + "; known: " + models + " or " + Rate.ANY_MODEL);
            check(rate.per().signum() > 0, factoryId, name + " must have a positive per");
            check(rate.unitPrice().signum() >= 0, factoryId, name + " must not have a negative unit price");
            check(isCurrency(rate.currency()), factoryId, name + " has currency '" + rate.currency() + "', not an ISO 4217 code");
            check(rate.version() == 0, factoryId, name + " has version " + rate.version() + "; a default not yet in a price book has version 0");
            check(modelAndMeter.add(rate.model() + "\u0000" + rate.meter()), factoryId, name + " is declared twice");
        }
    }

    private static void verifyNormalize(String factoryId, ProviderPlugin plugin, Map<String, Meter> meters) {
        expectRejected(factoryId, plugin, Map.of(UNKNOWN_METER, BigDecimal.ONE), UsageException.Code.UNKNOWN_METER,
                "an unknown meter");
        String anyMeter = meters.keySet().iterator().next();
        expectRejected(factoryId, plugin, Map.of(anyMeter, BigDecimal.ONE.negate()), UsageException.Code.NEGATIVE_QUANTITY,
                "a negative " + anyMeter);
        for (Meter meter : meters.values()) {
            if (meter.integral()) {
                expectRejected(factoryId, plugin, Map.of(meter.key(), new BigDecimal("0.5")), UsageException.Code.NOT_INTEGRAL,
                        "a fraction of integral meter " + meter.key());
            }
        }
        Map<String, BigDecimal> ones = new TreeMap<>();
        meters.keySet().forEach(key -> ones.put(key, BigDecimal.ONE));
        try {
            Map<String, BigDecimal> normalized = plugin.normalize(new UsageInput(UNLISTED_MODEL, ones, Map.of()));
            check(normalized.keySet().equals(ones.keySet()), factoryId,
                    "normalize() of one unit of every meter returned meters " + normalized.keySet() + " instead of " + ones.keySet());
        }
        catch (UsageException exception) {
            throw failure(factoryId, "normalize() rejected one unit of every meter: " + exception.code() + " " + exception.getMessage(), exception);
        }
    }

    private static void expectRejected(String factoryId, ProviderPlugin plugin, Map<String, BigDecimal> meters,
            UsageException.Code expected, String what) {
        try {
            plugin.normalize(new UsageInput(UNLISTED_MODEL, meters, Map.of()));
        }
        catch (UsageException exception) {
            check(exception.code() == expected, factoryId,
                    "normalize() rejected " + what + " with " + exception.code() + " instead of " + expected);
            check(exception.field() != null && !exception.field().isBlank(), factoryId,
                    "normalize() rejected " + what + " without naming the field");
            return;
        }
        throw new AssertionError(factoryId + ": normalize() accepted " + what + " " + meters + "; expected " + expected);
    }

    private static void verifyPricing(String factoryId, ProviderPlugin plugin, Map<String, Meter> meters) {
        RateLookup defaults = defaultRateLookup(plugin);

        Map<String, BigDecimal> zeros = new TreeMap<>();
        meters.keySet().forEach(key -> zeros.put(key, BigDecimal.ZERO));
        List<PricedLine> zeroLines = plugin.price(UNLISTED_MODEL, zeros, defaults);
        check(zeroLines.isEmpty(), factoryId, "pricing zero of every meter gave lines " + zeroLines + "; expected none");

        for (Rate rate : plugin.defaultRates()) {
            // A rate for any model is asked for with a model no specific rate covers, so the lookup lands on it.
            String model = Rate.ANY_MODEL.equals(rate.model()) ? UNLISTED_MODEL : rate.model();
            String name = "default rate " + rate.model() + "/" + rate.meter();
            List<PricedLine> lines = plugin.price(model, Map.of(rate.meter(), rate.per()), defaults);
            check(lines.size() == 1, factoryId, "pricing " + rate.per().toPlainString() + " " + rate.meter()
                    + " of model " + model + " gave " + lines.size() + " lines; expected one");
            PricedLine line = lines.get(0);
            check(line.meter().equals(rate.meter()), factoryId, "the line of " + name + " is for meter " + line.meter());
            check(line.quantity().compareTo(rate.per()) == 0, factoryId, "the line of " + name + " changed the quantity to "
                    + line.quantity().toPlainString());
            check(line.priced() && line.rate().get().equals(rate), factoryId, "pricing " + rate.per().toPlainString() + " "
                    + rate.meter() + " of model " + model + " did not use " + name + " but " + line.rate());
            // A provider that rounds up (a call minimum, a billing increment) may charge more, never less.
            check(line.billableQuantity().compareTo(line.quantity()) >= 0, factoryId, "the line of " + name
                    + " bills " + line.billableQuantity().toPlainString() + ", less than the quantity used");
            check(line.amount().compareTo(rate.unitPrice()) >= 0, factoryId, "pricing " + rate.per().toPlainString() + " "
                    + rate.meter() + " at " + name + " gave " + line.amount().toPlainString() + ", less than the unit price "
                    + rate.unitPrice().toPlainString());
            if (line.billableQuantity().compareTo(line.quantity()) == 0) {
                check(line.amount().compareTo(rate.unitPrice()) == 0, factoryId, "pricing " + rate.per().toPlainString() + " "
                        + rate.meter() + " at " + name + " gave " + line.amount().toPlainString() + " instead of the unit price "
                        + rate.unitPrice().toPlainString());
            }
            check(line.amount().scale() == ProviderPlugin.AMOUNT_SCALE, factoryId, "the amount of " + name + " has scale "
                    + line.amount().scale() + " instead of " + ProviderPlugin.AMOUNT_SCALE);
        }

        RateLookup none = (model, meter) -> Optional.empty();
        for (Meter meter : meters.values()) {
            List<PricedLine> lines = plugin.price(UNLISTED_MODEL, Map.of(meter.key(), BigDecimal.ONE), none);
            check(lines.size() == 1, factoryId, "pricing one " + meter.key() + " without any rate gave " + lines.size()
                    + " lines; expected one unpriced line");
            PricedLine line = lines.get(0);
            check(!line.priced() && line.amount() == null, factoryId, "pricing one " + meter.key()
                    + " without any rate gave a priced line " + line + "; a meter without a rate must stay unpriced, not free");
        }
    }

    private static void verifyUnknownConfigurationRejected(ProviderPluginFactory factory) {
        PluginConfig config = new PluginConfig(Map.of(UNKNOWN_CONFIG_KEY, "1"));
        try {
            factory.create(config);
        }
        catch (IllegalArgumentException expected) {
            return;
        }
        catch (RuntimeException other) {
            throw failure(factory.id(), "create() with unknown key " + UNKNOWN_CONFIG_KEY + " threw " + other
                    + " instead of IllegalArgumentException", other);
        }
        throw new AssertionError(factory.id() + ": create() accepted unknown configuration key " + UNKNOWN_CONFIG_KEY
                + "; call config.requireOnly(configProperties()) so typos never pass silently");
    }

    /**
     * A rate lookup over a plugin's default rates that behaves like the platform's price book: the
     * model's own rate, else the provider's {@link Rate#ANY_MODEL} rate. Useful for a plugin's own
     * pricing tests.
     *
     * @param plugin the plugin
     * @return a lookup over {@link ProviderPlugin#defaultRates()}
     */
    public static RateLookup defaultRateLookup(ProviderPlugin plugin) {
        Objects.requireNonNull(plugin, "plugin is null");
        Map<String, Rate> byModelAndMeter = new TreeMap<>();
        plugin.defaultRates().forEach(rate -> byModelAndMeter.put(rate.model() + "\u0000" + rate.meter(), rate));
        return (model, meter) -> Optional.ofNullable(byModelAndMeter.get(model + "\u0000" + meter))
                .or(() -> Optional.ofNullable(byModelAndMeter.get(Rate.ANY_MODEL + "\u0000" + meter)));
    }

    private static boolean isCurrency(String code) {
        try {
            return Currency.getInstance(code).getCurrencyCode().equals(code);
        }
        catch (IllegalArgumentException exception) {
            return false;
        }
    }

    private static void check(boolean condition, String factoryId, String message) {
        if (!condition) {
            throw new AssertionError(factoryId + ": " + message);
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    private static AssertionError failure(String factoryId, String message, Throwable cause) {
        return new AssertionError(factoryId + ": " + message, cause);
    }
}
