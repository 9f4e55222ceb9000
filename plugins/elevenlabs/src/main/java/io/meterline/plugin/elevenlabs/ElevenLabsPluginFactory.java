package io.meterline.plugin.elevenlabs;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;

/** Creates the {@link ElevenLabsPlugin}. It has no configuration: prices live in the price book. */
public final class ElevenLabsPluginFactory implements ProviderPluginFactory {

    /** The provider id. */
    public static final String ID = "elevenlabs";

    /** Creates the factory; ServiceLoader calls this. */
    public ElevenLabsPluginFactory() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public ProviderPlugin create(PluginConfig config) {
        config.requireOnly(configProperties());
        return new ElevenLabsPlugin();
    }
}
