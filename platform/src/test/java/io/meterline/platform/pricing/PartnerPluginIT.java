package io.meterline.platform.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.plugin.spi.ProviderPluginFactory;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * A partner drops a jar into the plugin folder: the server loads it in a class loader of its own
 * that shares only the SPI, lists it, and prices with it, recording {@code pluginId@version}.
 */
class PartnerPluginIT extends ServerTest {

    private static final String SOURCE = """
            package com.partner.echo;

            import io.meterline.plugin.spi.*;
            import java.util.List;

            public final class EchoPluginFactory implements ProviderPluginFactory {
                public String id() { return "echo-voice"; }

                public ProviderPlugin create(PluginConfig config) {
                    config.requireOnly(configProperties());
                    return new ProviderPlugin() {
                        public String id() { return "echo-voice"; }
                        public String version() { return "2.1.0"; }
                        public String displayName() { return platformVisible() ? "Echo (sees the platform)" : "Echo Voice"; }
                        public List<Meter> meters() { return List.of(new Meter("seconds", "second", true, "Seconds of synthesised audio.")); }
                        public List<Model> models() { return List.of(new Model("echo-1", "Echo 1")); }
                        public List<Rate> defaultRates() { return List.of(Rate.of(Rate.ANY_MODEL, "seconds", "0.001", 1, "USD")); }
                    };
                }

                static boolean platformVisible() {
                    try {
                        Class.forName("io.meterline.platform.Application");
                        return true;
                    }
                    catch (ClassNotFoundException e) {
                        return false;
                    }
                }
            }
            """;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new java.util.HashMap<>(super.getProperties());
        properties.put("meterline.plugins.directory", buildPluginFolder().toString());
        return properties;
    }

    @Test
    void aJarInThePluginFolderIsLoadedIsolatedAndPricesUsage() {
        TestApi.Response providers = api.graphql(api.adminToken(), "{ providers { id displayName plugin meters { key } rates { meter unitPrice { amount } } } }");
        assertThat(providers.pluck("data.providers", "id")).as(providers.body()).contains("echo-voice", "openai");
        Map<?, ?> echo = ((List<?>) providers.at("data.providers")).stream().map(provider -> (Map<?, ?>) provider)
                .filter(provider -> "echo-voice".equals(provider.get("id"))).findFirst().orElseThrow();
        assertThat(echo.get("plugin")).isEqualTo("echo-voice@2.1.0");
        assertThat(echo.get("displayName")).as("the plugin's class loader shares only the SPI").isEqualTo("Echo Voice");

        Fixtures.Tenant tenant = Fixtures.tenant(api, "partner", "UTC");
        TestApi.Response recorded = api.usage(tenant.apiKey(),
                "{\"events\":[{\"id\":\"echo-1\",\"timestamp\":\"2026-05-05T10:00:00Z\",\"provider\":\"echo-voice\",\"model\":\"echo-1\",\"meters\":{\"seconds\":30}}]}");
        assertThat(recorded.at("results.0.cost")).isEqualTo("0.030000000");
        TestApi.Response line = api.graphql(tenant.adminToken(), "{ usageEvents(first: 1) { nodes { lines { plugin rateVersion } } } }");
        assertThat(line.at("data.usageEvents.nodes.0.lines.0.plugin")).isEqualTo("echo-voice@2.1.0");
    }

    /** Compiles the partner's source against the SPI alone and packages it as a plugin folder. */
    private static Path buildPluginFolder() {
        try {
            Path work = Files.createTempDirectory("partner-plugin");
            Path sources = work.resolve("src/com/partner/echo");
            Files.createDirectories(sources);
            Files.writeString(sources.resolve("EchoPluginFactory.java"), SOURCE);
            Path classes = Files.createDirectories(work.resolve("classes"));
            String spi = Path.of(ProviderPluginFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            int status = compiler.run(null, null, null, "-classpath", spi, "-d", classes.toString(), sources.resolve("EchoPluginFactory.java").toString());
            if (status != 0) {
                throw new IllegalStateException("the partner plugin did not compile");
            }
            Path folder = Files.createDirectories(work.resolve("plugins.d/echo-voice"));
            try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(folder.resolve("echo-voice-2.1.0.jar")));
                 Stream<Path> files = Files.walk(classes)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    jar.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, jar);
                    jar.closeEntry();
                }
                jar.putNextEntry(new JarEntry("META-INF/services/" + ProviderPluginFactory.class.getName()));
                OutputStream out = jar;
                out.write("com.partner.echo.EchoPluginFactory\n".getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
            return work.resolve("plugins.d");
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
