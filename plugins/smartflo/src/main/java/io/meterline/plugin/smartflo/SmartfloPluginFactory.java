package io.meterline.plugin.smartflo;

import io.meterline.plugin.spi.ConfigProperty;
import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Creates the {@link SmartfloPlugin} with the account's billing increment and per-call minimum, which
 * differ between Smartflo contracts (per-minute billing, or 6-second pulses after a first minute).
 */
public final class SmartfloPluginFactory implements ProviderPluginFactory {

    /** The provider id. */
    public static final String ID = "smartflo";

    /** The step a call's duration is rounded up to, in seconds. */
    public static final ConfigProperty BILLING_INCREMENT_SECONDS = new ConfigProperty("billing-increment-seconds",
            "The step a call is rounded up to, in seconds: 60 bills started minutes, 6 bills 6-second pulses.", "60", false);

    /** The least a connected call is billed, in seconds. */
    public static final ConfigProperty MINIMUM_SECONDS = new ConfigProperty("minimum-seconds",
            "The least a call is billed, in seconds, however short it was.", "60", false);

    private static final List<ConfigProperty> PROPERTIES = List.of(BILLING_INCREMENT_SECONDS, MINIMUM_SECONDS);
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

    /** Creates the factory; ServiceLoader calls this. */
    public SmartfloPluginFactory() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<ConfigProperty> configProperties() {
        return PROPERTIES;
    }

    /**
     * Creates the plugin.
     *
     * @param config {@code billing-increment-seconds} and {@code minimum-seconds}, both positive whole numbers
     * @return the plugin
     * @throws IllegalArgumentException on an unknown key or a value that is not a positive whole number
     */
    @Override
    public ProviderPlugin create(PluginConfig config) {
        config.requireOnly(configProperties());
        return new SmartfloPlugin(positiveSeconds(config, BILLING_INCREMENT_SECONDS), positiveSeconds(config, MINIMUM_SECONDS));
    }

    private static long positiveSeconds(PluginConfig config, ConfigProperty property) {
        String value = config.get(property).orElseThrow(() -> new IllegalArgumentException(property.key() + " is required"));
        // Nine digits at most: a billing step or minimum beyond 31 years is a typo, and it keeps the arithmetic in range.
        if (!DIGITS.matcher(value.trim()).matches() || Long.parseLong(value.trim()) == 0) {
            throw new IllegalArgumentException(property.key() + " must be a positive whole number of seconds, got '" + value + "'");
        }
        return Long.parseLong(value.trim());
    }
}
