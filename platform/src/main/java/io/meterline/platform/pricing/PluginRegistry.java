package io.meterline.platform.pricing;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The installed provider plugins: first-party ones from the server's class path, and partner
 * plugins from {@code meterline.plugins.directory}, one class loader per plugin folder (or jar) that
 * shares only the SPI with the platform, as Trino loads its plugins. Each plugin is configured from
 * {@code meterline.plugins.config.<id>.<key>}.
 */
@Singleton
public class PluginRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);
    private static final String SPI_PACKAGE = "io.meterline.plugin.spi.";

    private final Map<String, ProviderPlugin> plugins;
    /** Per provider, meter key to unit: read for every recorded line, so built once. */
    private final Map<String, Map<String, String>> units;

    public PluginRegistry(Environment environment, PluginsConfiguration configuration) {
        Map<String, ProviderPlugin> loaded = new TreeMap<>();
        List<ClassLoader> loaders = new ArrayList<>();
        loaders.add(PluginRegistry.class.getClassLoader());
        loaders.addAll(pluginLoaders(Path.of(configuration.directory())));
        for (ClassLoader loader : loaders) {
            for (ProviderPluginFactory factory : ServiceLoader.load(ProviderPluginFactory.class, loader)) {
                if (loaded.containsKey(factory.id())) {
                    continue;
                }
                Map<String, String> values = new LinkedHashMap<>();
                environment.getProperties("meterline.plugins.config." + factory.id())
                        .forEach((key, value) -> values.put(key, String.valueOf(value)));
                ProviderPlugin plugin = factory.create(new PluginConfig(values));
                loaded.put(plugin.id(), plugin);
                LOG.info("Loaded provider plugin {}@{}", plugin.id(), plugin.version());
            }
        }
        this.plugins = Map.copyOf(loaded);
        Map<String, Map<String, String>> unitTable = new HashMap<>();
        loaded.forEach((id, plugin) -> {
            Map<String, String> meters = new LinkedHashMap<>();
            plugin.meters().forEach(meter -> meters.put(meter.key(), meter.unit()));
            unitTable.put(id, Collections.unmodifiableMap(meters));
        });
        this.units = Map.copyOf(unitTable);
    }

    /** A provider's meters (key to unit, in the plugin's order); empty for an unknown provider. */
    public Map<String, String> units(String providerId) {
        return units.getOrDefault(providerId, Map.of());
    }

    /** The unit of a provider's meter, or {@code unit} for a meter no installed plugin declares. */
    public String unitOf(String providerId, String meter) {
        return units(providerId).getOrDefault(meter, "unit");
    }

    public Optional<ProviderPlugin> find(String providerId) {
        return Optional.ofNullable(plugins.get(providerId));
    }

    public Collection<ProviderPlugin> all() {
        return new TreeMap<>(plugins).values();
    }

    /** {@code pluginId@version}, as recorded on every priced line. */
    public static String label(ProviderPlugin plugin) {
        return plugin.id() + "@" + plugin.version();
    }

    private static List<ClassLoader> pluginLoaders(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<ClassLoader> loaders = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory).sorted()) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                List<URL> urls = new ArrayList<>();
                if (Files.isDirectory(entry)) {
                    try (Stream<Path> jars = Files.list(entry)) {
                        for (Path jar : (Iterable<Path>) jars.filter(path -> path.toString().endsWith(".jar")).sorted()::iterator) {
                            urls.add(toUrl(jar));
                        }
                    }
                }
                else if (entry.toString().endsWith(".jar")) {
                    urls.add(toUrl(entry));
                }
                if (!urls.isEmpty()) {
                    loaders.add(new PluginClassLoader(urls.toArray(URL[]::new)));
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read plugin directory " + directory, e);
        }
        return loaders;
    }

    private static URL toUrl(Path path) {
        try {
            return path.toUri().toURL();
        }
        catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Sees the JDK, the SPI (from the platform) and its own jars: never the platform's other classes. */
    private static final class PluginClassLoader extends URLClassLoader {

        PluginClassLoader(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith(SPI_PACKAGE)) {
                return PluginRegistry.class.getClassLoader().loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
