package io.meterline.plugin.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration handed to {@link ProviderPluginFactory#create(PluginConfig)}: string keys and
 * values, checked strictly against the factory's declared {@link ConfigProperty properties}.
 *
 * @param values the configured values
 */
public record PluginConfig(Map<String, String> values) {

    /** Copies the values. */
    public PluginConfig {
        values = Map.copyOf(Objects.requireNonNull(values, "values is null"));
    }

    /** A configuration with no values: every property takes its default. */
    public static PluginConfig empty() {
        return new PluginConfig(Map.of());
    }

    /**
     * The configured value of a key, or the property's default.
     *
     * @param property the declared property
     * @return the value, empty when neither a value nor a default exists
     */
    public Optional<String> get(ConfigProperty property) {
        String value = values.get(property.key());
        return Optional.ofNullable(value != null ? value : property.defaultValue());
    }

    /**
     * Rejects keys that the plugin does not declare, so a typo never passes silently.
     *
     * @param declared the properties the plugin declares
     * @throws IllegalArgumentException naming the unknown keys
     */
    public void requireOnly(List<ConfigProperty> declared) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        declared.forEach(property -> unknown.remove(property.key()));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown configuration keys: " + unknown);
        }
    }
}
