package io.meterline.plugin.openai;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;

/** Creates the {@link OpenAiPlugin}. It has no configuration: prices live in the price book. */
public final class OpenAiPluginFactory implements ProviderPluginFactory {

    /** The provider id. */
    public static final String ID = "openai";

    /** Creates the factory; ServiceLoader calls this. */
    public OpenAiPluginFactory() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public ProviderPlugin create(PluginConfig config) {
        config.requireOnly(configProperties());
        return new OpenAiPlugin();
    }
}
