package io.meterline.plugin.spi;

import java.util.List;

/**
 * Entry point of a provider plugin, discovered with {@link java.util.ServiceLoader}: list the
 * implementation in {@code META-INF/services/io.meterline.plugin.spi.ProviderPluginFactory}.
 *
 * <p>A factory is named by {@link #id()}, declares the configuration keys it understands (and which
 * of them are secrets), and creates a {@link ProviderPlugin} from a configuration. Creating a plugin
 * must be cheap and free of I/O: the platform may create one per configuration change.
 */
public interface ProviderPluginFactory {

    /** The provider id used in usage events and price books, such as {@code openai}. Lower case, stable. */
    String id();

    /** The configuration keys this plugin understands. Keys not listed here are rejected. */
    default List<ConfigProperty> configProperties() {
        return List.of();
    }

    /**
     * Creates the plugin.
     *
     * @param config the configuration, holding only keys from {@link #configProperties()}
     * @return the plugin
     * @throws IllegalArgumentException when a value is invalid
     */
    ProviderPlugin create(PluginConfig config);
}
