package io.meterline.plugin.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.PricedLine;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.UsageException;
import io.meterline.plugin.spi.UsageInput;
import io.meterline.plugin.testkit.ProviderPluginTestKit;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AnthropicPluginTest {

    private final ProviderPlugin plugin = new AnthropicPluginFactory().create(PluginConfig.empty());

    @Test
    void passesTheTestKit() {
        ProviderPluginTestKit.verify(new AnthropicPluginFactory());
        ProviderPluginTestKit.verifyDiscoverable(AnthropicPluginFactory.class);
    }

    @Test
    void inputTokensAlreadyExcludeCacheTokens() throws UsageException {
        Map<String, Object> usage = Map.of(
                "input_tokens", new BigDecimal("50"),
                "output_tokens", new BigDecimal("400"),
                "cache_creation_input_tokens", new BigDecimal("2000"),
                "cache_read_input_tokens", new BigDecimal("10000"));

        // Nothing is subtracted from input_tokens, unlike OpenAI's prompt_tokens.
        assertThat(normalize(usage)).containsOnly(
                entry("input_tokens", new BigDecimal("50")),
                entry("output_tokens", new BigDecimal("400")),
                entry("cache_write_tokens", new BigDecimal("2000")),
                entry("cache_read_tokens", new BigDecimal("10000")));
    }

    @Test
    void cacheFieldsAreOptional() throws UsageException {
        Map<String, Object> usage = new HashMap<>();
        usage.put("input_tokens", 12);
        usage.put("output_tokens", 7);
        usage.put("cache_creation_input_tokens", null);
        usage.put("service_tier", "standard");

        assertThat(normalize(usage)).containsOnly(
                entry("input_tokens", new BigDecimal("12")),
                entry("output_tokens", new BigDecimal("7")),
                entry("cache_write_tokens", BigDecimal.ZERO),
                entry("cache_read_tokens", BigDecimal.ZERO));
    }

    @Test
    void badUsageIsRejected() {
        assertInvalid(Map.of("output_tokens", 7), "usage.input_tokens");
        assertInvalid(Map.of("input_tokens", 7), "usage.output_tokens");
        assertInvalid(Map.of("input_tokens", 7, "output_tokens", 1, "cache_read_input_tokens", -3), "usage.cache_read_input_tokens");
        assertInvalid(Map.of("input_tokens", "7", "output_tokens", 1), "usage.input_tokens");
        assertInvalid(Map.of("input_tokens", 7, "output_tokens", new BigDecimal("1.5")), "usage.output_tokens");
    }

    @Test
    void pricesEveryMeterOfSonnet() throws UsageException {
        Map<String, BigDecimal> quantities = normalize(Map.of(
                "input_tokens", 1_000_000, "output_tokens", 100_000,
                "cache_creation_input_tokens", 200_000, "cache_read_input_tokens", 1_000_000));

        List<PricedLine> lines = plugin.price("claude-3-5-sonnet", quantities, ProviderPluginTestKit.defaultRateLookup(plugin));

        // 3.00 input + 1.50 output + 0.75 cache write + 0.30 cache read.
        assertThat(lines).extracting(PricedLine::meter, PricedLine::amount).containsExactly(
                tuple("cache_read_tokens", new BigDecimal("0.300000000000")),
                tuple("cache_write_tokens", new BigDecimal("0.750000000000")),
                tuple("input_tokens", new BigDecimal("3.000000000000")),
                tuple("output_tokens", new BigDecimal("1.500000000000")));
        assertThat(lines.stream().map(PricedLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualTo(new BigDecimal("5.550000000000"));
    }

    @Test
    void pricesHaikuCacheRead() {
        List<PricedLine> lines = plugin.price("claude-3-haiku", Map.of("cache_read_tokens", new BigDecimal("1000")),
                ProviderPluginTestKit.defaultRateLookup(plugin));

        assertThat(lines).singleElement().extracting(PricedLine::amount).isEqualTo(new BigDecimal("0.000030000000"));
    }

    private Map<String, BigDecimal> normalize(Map<String, Object> usage) throws UsageException {
        return plugin.normalize(new UsageInput("claude-3-5-sonnet", Map.of(), usage));
    }

    private void assertInvalid(Map<String, Object> usage, String field) {
        assertThatThrownBy(() -> normalize(usage))
                .isInstanceOfSatisfying(UsageException.class, exception -> {
                    assertThat(exception.code()).isEqualTo(UsageException.Code.INVALID_USAGE);
                    assertThat(exception.field()).isEqualTo(field);
                });
    }
}
