package io.meterline.plugin.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.ProviderPluginFactory;
import io.meterline.plugin.spi.UsageException;
import java.math.BigDecimal;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each first-party plugin that uses the toolkit works alone in the plugin folder: its packaged jar,
 * in a class loader that sees only the JDK and the SPI (as the platform's {@code PluginRegistry}
 * gives it), reads native usage through the toolkit copy shaded into the jar. Runs in the
 * {@code integration-test} phase of {@code ./mvnw verify}, when the reactor hands out the plugins'
 * packaged (shaded) jars rather than their class folders.
 */
class PluginJarAloneIT {

    static List<Arguments> plugins() {
        return List.of(
                Arguments.of(io.meterline.plugin.openai.OpenAiPluginFactory.class, "openai",
                        Map.of("prompt_tokens", 1000, "completion_tokens", 5, "prompt_tokens_details", Map.of("cached_tokens", 200)),
                        Map.of("input_tokens", "800", "cached_tokens", "200", "output_tokens", "5"),
                        Map.of("prompt_tokens", "1000"), "usage.prompt_tokens"),
                Arguments.of(io.meterline.plugin.anthropic.AnthropicPluginFactory.class, "anthropic",
                        Map.of("input_tokens", 7, "output_tokens", 3, "cache_read_input_tokens", 2),
                        Map.of("input_tokens", "7", "output_tokens", "3", "cache_write_tokens", "0", "cache_read_tokens", "2"),
                        Map.of("input_tokens", 7, "output_tokens", 3.5), "usage.output_tokens"),
                Arguments.of(io.meterline.plugin.elevenlabs.ElevenLabsPluginFactory.class, "elevenlabs",
                        Map.of("character_count", 12), Map.of("characters", "12"),
                        Map.of("character_count", -1), "usage.character_count"),
                Arguments.of(io.meterline.plugin.flattoken.FlatTokenPluginFactory.class, "flat-token",
                        Map.of("prompt_tokens", 4, "completion_tokens", 5), Map.of("tokens", "9"),
                        Map.of("total_tokens", true), "usage.total_tokens"),
                Arguments.of(io.meterline.plugin.smartflo.SmartfloPluginFactory.class, "smartflo",
                        Map.of("duration_seconds", new BigDecimal("75.5")), Map.of("minutes", "1.258333333"),
                        Map.of("duration_seconds", "75"), "usage.duration_seconds"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("plugins")
    void thePackagedJarReadsNativeUsageAlone(Class<?> factoryOnClassPath, String id, Map<String, Object> usage,
            Map<String, String> meters, Map<String, Object> badUsage, String badField) throws Exception {
        URL jar = factoryOnClassPath.getProtectionDomain().getCodeSource().getLocation();
        assertThat(jar.getPath()).as("run by ./mvnw verify, which hands out the packaged plugin jar").endsWith(".jar");

        try (URLClassLoader folder = new PluginFolderLoader(jar)) {
            List<ProviderPluginFactory> factories = StreamSupport.stream(ServiceLoader.load(ProviderPluginFactory.class, folder).spliterator(), false)
                    .collect(Collectors.toList());
            assertThat(factories).singleElement().satisfies(factory -> assertThat(factory.getClass().getClassLoader()).isSameAs(folder));
            ProviderPlugin plugin = factories.get(0).create(new PluginConfig(Map.of()));
            assertThat(plugin.id()).isEqualTo(id);

            Map<String, BigDecimal> read = plugin.fromNativeUsage(usage);
            assertThat(read.keySet()).isEqualTo(meters.keySet());
            meters.forEach((meter, quantity) -> assertThat(read.get(meter)).as(meter).isEqualByComparingTo(quantity));
            assertThatThrownBy(() -> plugin.fromNativeUsage(badUsage)).isInstanceOfSatisfying(UsageException.class, refused -> {
                assertThat(refused.code()).isEqualTo(UsageException.Code.INVALID_USAGE);
                assertThat(refused.field()).isEqualTo(badField);
            });

            assertThatThrownBy(() -> folder.loadClass("io.meterline.plugin.toolkit.NativeUsage"))
                    .as("the toolkit itself is not on the folder's class path, only the jar's relocated copy")
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }

    /** As the platform's plugin class loader: the JDK, the SPI from the host, and the plugin's own jar. */
    private static final class PluginFolderLoader extends URLClassLoader {

        PluginFolderLoader(URL jar) {
            super(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.meterline.plugin.spi.")) {
                return ProviderPluginFactory.class.getClassLoader().loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
