package io.meterline.plugin.flattoken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.PricedLine;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.Rate;
import io.meterline.plugin.spi.UsageException;
import io.meterline.plugin.spi.UsageInput;
import io.meterline.plugin.testkit.ProviderPluginTestKit;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FlatTokenPluginTest {

    private final FlatTokenPluginFactory factory = new FlatTokenPluginFactory();
    private final ProviderPlugin plugin = factory.create(PluginConfig.empty());

    @Test
    void passesTheTestKit() {
        ProviderPluginTestKit.verify(factory);
        ProviderPluginTestKit.verifyDiscoverable(FlatTokenPluginFactory.class);
    }

    @Test
    void defaultsToTwoThousandthsOfACentInEuro() {
        assertThat(plugin.defaultRates()).singleElement().satisfies(rate -> {
            assertThat(rate.model()).isEqualTo(Rate.ANY_MODEL);
            assertThat(rate.meter()).isEqualTo("tokens");
            assertThat(rate.unitPrice()).isEqualTo(new BigDecimal("0.00002"));
            assertThat(rate.per()).isEqualTo(BigDecimal.ONE);
            assertThat(rate.currency()).isEqualTo("EUR");
        });
    }

    @Test
    void configuredPriceAndCurrencyApply() throws UsageException {
        ProviderPlugin dollars = factory.create(new PluginConfig(Map.of("price-per-token", "0.000001", "currency", "USD")));

        List<PricedLine> lines = dollars.price("any-model", normalize(dollars, Map.of("total_tokens", 1_500_000)),
                ProviderPluginTestKit.defaultRateLookup(dollars));

        assertThat(lines).singleElement().satisfies(line -> {
            assertThat(line.rate().orElseThrow().currency()).isEqualTo("USD");
            assertThat(line.amount()).isEqualTo(new BigDecimal("1.500000000000"));
        });
    }

    @Test
    void badConfigurationIsRejected() {
        for (Map<String, String> bad : List.of(
                Map.of("price-per-token", "cheap"),
                Map.of("price-per-token", "-0.1"),
                Map.of("currency", "eur"),
                Map.of("currency", "EURO"),
                Map.of("currency", "XYZ"),
                Map.of("price_per_token", "0.1"))) {
            assertThatThrownBy(() -> factory.create(new PluginConfig(bad)))
                    .as("configuration %s", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void promptAndCompletionTokensAreAdded() throws UsageException {
        assertThat(normalize(plugin, Map.of("prompt_tokens", 1000, "completion_tokens", 500)))
                .containsOnly(entry("tokens", new BigDecimal("1500")));
        assertThat(normalize(plugin, Map.of("prompt_tokens", 1000, "completion_tokens", 500, "total_tokens", 1500)))
                .containsOnly(entry("tokens", new BigDecimal("1500")));
        assertThat(normalize(plugin, Map.of("total_tokens", new BigDecimal("42"))))
                .containsOnly(entry("tokens", new BigDecimal("42")));
    }

    @Test
    void pricesAtTheDefaultPrice() throws UsageException {
        List<PricedLine> lines = plugin.price("llama-3", normalize(plugin, Map.of("prompt_tokens", 1000, "completion_tokens", 500)),
                ProviderPluginTestKit.defaultRateLookup(plugin));

        assertThat(lines).singleElement().extracting(PricedLine::amount).isEqualTo(new BigDecimal("0.030000000000"));
    }

    @Test
    void badUsageIsRejected() {
        assertInvalid(Map.of("input_tokens", 10), "usage");
        assertInvalid(Map.of("prompt_tokens", 10, "completion_tokens", 5, "total_tokens", 16), "usage.total_tokens");
        assertInvalid(Map.of("total_tokens", "16"), "usage.total_tokens");
        assertInvalid(Map.of("prompt_tokens", -1), "usage.prompt_tokens");
        assertInvalid(Map.of("completion_tokens", new BigDecimal("0.5")), "usage.completion_tokens");
    }

    private static Map<String, BigDecimal> normalize(ProviderPlugin plugin, Map<String, Object> usage) throws UsageException {
        return plugin.normalize(new UsageInput("any-model", Map.of(), usage));
    }

    private void assertInvalid(Map<String, Object> usage, String field) {
        assertThatThrownBy(() -> normalize(plugin, usage))
                .isInstanceOfSatisfying(UsageException.class, exception -> {
                    assertThat(exception.code()).isEqualTo(UsageException.Code.INVALID_USAGE);
                    assertThat(exception.field()).isEqualTo(field);
                });
    }
}
