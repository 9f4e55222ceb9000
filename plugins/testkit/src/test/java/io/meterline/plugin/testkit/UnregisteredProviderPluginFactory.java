package io.meterline.plugin.testkit;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;

/** A correct factory that is deliberately missing from META-INF/services. */
public final class UnregisteredProviderPluginFactory implements ProviderPluginFactory {

    private final FakeProviderPluginFactory delegate = new FakeProviderPluginFactory();

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public ProviderPlugin create(PluginConfig config) {
        return delegate.create(config);
    }
}
