package io.meterline.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import io.meterline.plugin.spi.PluginConfig;
import io.meterline.plugin.spi.PricedLine;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.Rate;
import io.meterline.plugin.spi.RateLookup;
import io.meterline.plugin.spi.UsageException;
import io.meterline.plugin.spi.UsageInput;
import io.meterline.plugin.testkit.ProviderPluginTestKit;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class OpenAiPluginTest {

    private final ProviderPlugin plugin = new OpenAiPluginFactory().create(PluginConfig.empty());

    @Test
    void passesTheTestKit() {
        ProviderPluginTestKit.verify(new OpenAiPluginFactory());
        ProviderPluginTestKit.verifyDiscoverable(OpenAiPluginFactory.class);
    }

    @Test
    void chatCompletionsPromptIncludesCachedTokens() throws UsageException {
        Map<String, Object> usage = Map.of(
                "prompt_tokens", new BigDecimal("1000"),
                "completion_tokens", new BigDecimal("300"),
                "total_tokens", new BigDecimal("1300"),
                "prompt_tokens_details", Map.of("cached_tokens", new BigDecimal("200")),
                "completion_tokens_details", Map.of("reasoning_tokens", new BigDecimal("120")));

        Map<String, BigDecimal> quantities = normalize("gpt-4o", usage);

        // 800 + 200 is the whole prompt: the cached 200 are not also counted as input.
        assertThat(quantities).containsOnly(
                entry("input_tokens", new BigDecimal("800")),
                entry("cached_tokens", new BigDecimal("200")),
                entry("output_tokens", new BigDecimal("300")));
    }

    @Test
    void responsesApiInputIncludesCachedTokens() throws UsageException {
        Map<String, Object> usage = Map.of(
                "input_tokens", 1000L,
                "output_tokens", 50,
                "total_tokens", 1050,
                "input_tokens_details", Map.of("cached_tokens", 1000),
                "output_tokens_details", Map.of("reasoning_tokens", 0));

        assertThat(normalize("gpt-4o-mini", usage)).containsOnly(
                entry("input_tokens", new BigDecimal("0")),
                entry("cached_tokens", new BigDecimal("1000")),
                entry("output_tokens", new BigDecimal("50")));
    }

    @Test
    void embeddingsUsageWithoutCompletionIsAllInput() throws UsageException {
        assertThat(normalize("generic", Map.of("prompt_tokens", 8, "total_tokens", 8))).containsOnly(
                entry("input_tokens", new BigDecimal("8")),
                entry("cached_tokens", BigDecimal.ZERO),
                entry("output_tokens", BigDecimal.ZERO));
    }

    @Test
    void nullDetailsAreAbsent() throws UsageException {
        Map<String, Object> usage = new HashMap<>();
        usage.put("prompt_tokens", 10);
        usage.put("completion_tokens", 5);
        usage.put("prompt_tokens_details", null);

        assertThat(normalize("gpt-4", usage)).containsEntry("input_tokens", new BigDecimal("10"));
    }

    @Test
    void reportedMetersMustAgreeWithUsage() {
        UsageInput input = new UsageInput("gpt-4o",
                Map.of("input_tokens", new BigDecimal("1000")),
                Map.of("prompt_tokens", 1000, "completion_tokens", 1, "prompt_tokens_details", Map.of("cached_tokens", 200)));

        assertThatThrownBy(() -> plugin.normalize(input))
                .isInstanceOfSatisfying(UsageException.class, exception -> {
                    assertThat(exception.code()).isEqualTo(UsageException.Code.INCONSISTENT_USAGE);
                    assertThat(exception.field()).isEqualTo("meters.input_tokens");
                });
    }

    @Test
    void cachedMoreThanPromptIsRejected() {
        assertInvalid(Map.of("prompt_tokens", 100, "completion_tokens", 1, "prompt_tokens_details", Map.of("cached_tokens", 101)),
                "usage.prompt_tokens_details.cached_tokens");
    }

    @Test
    void totalThatDoesNotAddUpIsRejected() {
        assertInvalid(Map.of("prompt_tokens", 100, "completion_tokens", 20, "total_tokens", 100), "usage.total_tokens");
        assertInvalid(Map.of("input_tokens", 100, "output_tokens", 20, "total_tokens", 121), "usage.total_tokens");
    }

    @Test
    void malformedCountsAreRejected() {
        assertInvalid(Map.of("prompt_tokens", "1000", "completion_tokens", 1), "usage.prompt_tokens");
        assertInvalid(Map.of("prompt_tokens", -1, "completion_tokens", 1), "usage.prompt_tokens");
        assertInvalid(Map.of("prompt_tokens", new BigDecimal("10.5"), "completion_tokens", 1), "usage.prompt_tokens");
        assertInvalid(Map.of("prompt_tokens", 10, "completion_tokens", true), "usage.completion_tokens");
        assertInvalid(Map.of("prompt_tokens", 10, "prompt_tokens_details", 3), "usage.prompt_tokens_details");
        assertInvalid(Map.of("input_tokens", 10, "output_tokens", Double.NaN), "usage.output_tokens");
    }

    @Test
    void missingOrAmbiguousShapeIsRejected() {
        assertInvalid(Map.of("completion_tokens", 10), "usage");
        assertInvalid(Map.of("prompt_tokens", 10, "input_tokens", 10), "usage");
        assertInvalid(Map.of("input_tokens", 10), "usage.output_tokens");
    }

    @Test
    void reasoningBeyondCompletionIsRejected() {
        assertInvalid(Map.of("prompt_tokens", 10, "completion_tokens", 5,
                "completion_tokens_details", Map.of("reasoning_tokens", 6)), "usage.completion_tokens_details.reasoning_tokens");
    }

    @Test
    void pricesGpt4PerThousandTokens() throws UsageException {
        Map<String, BigDecimal> quantities = normalize("gpt-4", Map.of("prompt_tokens", 1000, "completion_tokens", 500));

        List<PricedLine> lines = plugin.price("gpt-4", quantities, defaultRates());

        assertThat(lines).extracting(PricedLine::meter).containsExactly("input_tokens", "output_tokens");
        assertThat(lines).extracting(PricedLine::amount)
                .containsExactly(new BigDecimal("0.030000000000"), new BigDecimal("0.030000000000"));
        assertThat(total(lines)).isEqualTo(new BigDecimal("0.060000000000"));
    }

    @Test
    void pricesCachedTokensOfGpt4oAtHalfTheInputRate() throws UsageException {
        Map<String, BigDecimal> quantities = normalize("gpt-4o", Map.of(
                "prompt_tokens", 1_000_000, "completion_tokens", 100_000,
                "prompt_tokens_details", Map.of("cached_tokens", 400_000)));

        List<PricedLine> lines = plugin.price("gpt-4o", quantities, defaultRates());

        // 400,000 cached x 1.25/M = 0.50; 600,000 input x 2.50/M = 1.50; 100,000 output x 10/M = 1.00.
        assertThat(lines).extracting(PricedLine::meter, PricedLine::amount).containsExactly(
                tuple("cached_tokens", new BigDecimal("0.500000000000")),
                tuple("input_tokens", new BigDecimal("1.500000000000")),
                tuple("output_tokens", new BigDecimal("1.000000000000")));
        assertThat(total(lines)).isEqualTo(new BigDecimal("3.000000000000"));
    }

    @Test
    void genericModelUsesTheResellerRates() throws UsageException {
        Map<String, BigDecimal> quantities = normalize("generic", Map.of(
                "input_tokens", 2_000_000, "output_tokens", 1_000_000,
                "input_tokens_details", Map.of("cached_tokens", 1_000_000)));

        // 1M input x 0.60 + 1M cached x 0.075 + 1M output x 1.00.
        assertThat(total(plugin.price("generic", quantities, defaultRates()))).isEqualTo(new BigDecimal("1.675000000000"));
    }

    @Test
    void olderModelsPriceCachedTokensAtTheInputRate() {
        assertThat(plugin.defaultRates()).filteredOn(rate -> rate.model().equals("gpt-3.5-turbo"))
                .extracting(Rate::meter, Rate::unitPrice)
                .containsExactlyInAnyOrder(
                        tuple("input_tokens", new BigDecimal("0.0005")),
                        tuple("cached_tokens", new BigDecimal("0.0005")),
                        tuple("output_tokens", new BigDecimal("0.0015")));
    }

    @Test
    void unknownModelStaysUnpriced() throws UsageException {
        List<PricedLine> lines = plugin.price("o3", normalize("o3", Map.of("prompt_tokens", 10, "completion_tokens", 10)), defaultRates());

        assertThat(lines).hasSize(2).noneMatch(PricedLine::priced);
    }

    private Map<String, BigDecimal> normalize(String model, Map<String, Object> usage) throws UsageException {
        return plugin.normalize(new UsageInput(model, Map.of(), usage));
    }

    private void assertInvalid(Map<String, Object> usage, String field) {
        assertThatThrownBy(() -> normalize("gpt-4o", usage))
                .isInstanceOfSatisfying(UsageException.class, exception -> {
                    assertThat(exception.code()).isEqualTo(UsageException.Code.INVALID_USAGE);
                    assertThat(exception.field()).isEqualTo(field);
                });
    }

    private RateLookup defaultRates() {
        return ProviderPluginTestKit.defaultRateLookup(plugin);
    }

    private static BigDecimal total(List<PricedLine> lines) {
        return lines.stream().map(PricedLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
