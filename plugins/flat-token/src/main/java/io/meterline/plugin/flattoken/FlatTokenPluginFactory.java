package io.meterline.plugin.flattoken;

import io.meterline.plugin.spi.ConfigProperty;
import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Creates the {@link FlatTokenPlugin} with its one price, for a provider that charges every model's
 * tokens alike or for an internal charge-back price.
 */
public final class FlatTokenPluginFactory implements ProviderPluginFactory {

    /** The provider id. */
    public static final String ID = "flat-token";

    /** The price of one token. */
    public static final ConfigProperty PRICE_PER_TOKEN = new ConfigProperty("price-per-token",
            "The price of one token, input or output, of any model.", "0.00002", false);

    /** The currency of the price. */
    public static final ConfigProperty CURRENCY = new ConfigProperty("currency",
            "The ISO 4217 currency code of the price, such as EUR.", "EUR", false);

    private static final List<ConfigProperty> PROPERTIES = List.of(PRICE_PER_TOKEN, CURRENCY);
    private static final Pattern CURRENCY_CODE = Pattern.compile("[A-Z]{3}");

    /** Creates the factory; ServiceLoader calls this. */
    public FlatTokenPluginFactory() {
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
     * @param config {@code price-per-token}, a non-negative decimal, and {@code currency}, an ISO 4217 code
     * @return the plugin
     * @throws IllegalArgumentException on an unknown key or an invalid value
     */
    @Override
    public ProviderPlugin create(PluginConfig config) {
        config.requireOnly(configProperties());
        return new FlatTokenPlugin(price(config), currency(config));
    }

    private static BigDecimal price(PluginConfig config) {
        String value = config.get(PRICE_PER_TOKEN).orElseThrow(() -> new IllegalArgumentException(PRICE_PER_TOKEN.key() + " is required"));
        BigDecimal price;
        try {
            price = new BigDecimal(value.trim());
        }
        catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(PRICE_PER_TOKEN.key() + " must be a decimal number such as 0.00002, got '" + value + "'");
        }
        if (price.signum() < 0) {
            throw new IllegalArgumentException(PRICE_PER_TOKEN.key() + " must not be negative, got '" + value + "'");
        }
        return price;
    }

    private static String currency(PluginConfig config) {
        String value = config.get(CURRENCY).orElseThrow(() -> new IllegalArgumentException(CURRENCY.key() + " is required"));
        // Upper case only: the code is stored and compared as written, and "eur" would split one currency in two.
        if (!CURRENCY_CODE.matcher(value).matches()) {
            throw new IllegalArgumentException(CURRENCY.key() + " must be an upper-case ISO 4217 code such as EUR, got '" + value + "'");
        }
        try {
            Currency.getInstance(value);
        }
        catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(CURRENCY.key() + " '" + value + "' is not an ISO 4217 currency", unknown);
        }
        return value;
    }
}
