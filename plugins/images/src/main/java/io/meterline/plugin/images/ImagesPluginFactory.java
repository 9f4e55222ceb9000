package io.meterline.plugin.images;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;

/** Creates the {@link ImagesPlugin}. It has no configuration: prices live in the price book. */
public final class ImagesPluginFactory implements ProviderPluginFactory {

    /** The provider id. */
    public static final String ID = "images";

    /** Creates the factory; ServiceLoader calls this. */
    public ImagesPluginFactory() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public ProviderPlugin create(PluginConfig config) {
        config.requireOnly(configProperties());
        return new ImagesPlugin();
    }
}
