package io.meterline.plugin.anthropic;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;

/** Creates the {@link AnthropicPlugin}. It has no configuration: prices live in the price book. */
public final class AnthropicPluginFactory implements ProviderPluginFactory {

    /** The provider id. */
    public static final String ID = "anthropic";

    /** Creates the factory; ServiceLoader calls this. */
    public AnthropicPluginFactory() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public ProviderPlugin create(PluginConfig config) {
        config.requireOnly(configProperties());
        return new AnthropicPlugin();
    }
}
