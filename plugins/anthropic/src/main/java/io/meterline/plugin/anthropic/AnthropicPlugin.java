package io.meterline.plugin.anthropic;

import static io.meterline.plugin.toolkit.NativeUsage.ROOT;

import io.meterline.plugin.spi.Meter;
import io.meterline.plugin.spi.Model;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.Rate;
import io.meterline.plugin.spi.UsageException;
import io.meterline.plugin.toolkit.NativeUsage;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prices Anthropic Claude models by token.
 *
 * <h2>Meters</h2>
 * <ul>
 *   <li>{@code input_tokens}: input tokens neither written to nor read from the prompt cache.</li>
 *   <li>{@code output_tokens}: output tokens.</li>
 *   <li>{@code cache_write_tokens}: input tokens written to the prompt cache, charged above the input rate.</li>
 *   <li>{@code cache_read_tokens}: input tokens read from the prompt cache, charged at a tenth of it.</li>
 * </ul>
 * The four meters never overlap: the whole prompt is {@code input_tokens + cache_write_tokens +
 * cache_read_tokens}.
 *
 * <h2>Native usage</h2>
 * The Messages API {@code usage} object: {@code input_tokens} (required), {@code output_tokens}
 * (required), {@code cache_creation_input_tokens} (optional, becomes {@code cache_write_tokens}) and
 * {@code cache_read_input_tokens} (optional, becomes {@code cache_read_tokens}). Other fields, such as
 * the {@code cache_creation} breakdown or {@code server_tool_use}, are ignored; cache writes are
 * charged at the five-minute cache price.
 *
 * <p><strong>Unlike OpenAI</strong>, Anthropic's {@code input_tokens} already excludes the cached
 * tokens, so it is taken as is and nothing is subtracted. (OpenAI's {@code prompt_tokens} includes
 * its cached tokens, and the OpenAI plugin subtracts them.) A gateway that mixes the two conventions
 * up would charge cached tokens twice or not at all.
 *
 * <h2>Default rates</h2>
 * USD per 1,000,000 tokens, as Anthropic publishes them.
 */
public final class AnthropicPlugin implements ProviderPlugin {

    /** Reads the native usage object; a refused field is INVALID_USAGE. */
    private static final NativeUsage<UsageException> USAGE = new NativeUsage<>(
            (field, message) -> new UsageException(field, UsageException.Code.INVALID_USAGE, message));

    /** The plugin version recorded with every priced line. */
    public static final String VERSION = "1.0.0";

    /** Input tokens outside the prompt cache. */
    public static final String INPUT_TOKENS = "input_tokens";
    /** Output tokens. */
    public static final String OUTPUT_TOKENS = "output_tokens";
    /** Input tokens written to the prompt cache. */
    public static final String CACHE_WRITE_TOKENS = "cache_write_tokens";
    /** Input tokens read from the prompt cache. */
    public static final String CACHE_READ_TOKENS = "cache_read_tokens";

    private static final String CURRENCY = "USD";
    private static final long MILLION = 1_000_000;

    private static final List<Meter> METERS = List.of(
            new Meter(INPUT_TOKENS, "token", true, "Input tokens neither written to nor read from the prompt cache."),
            new Meter(OUTPUT_TOKENS, "token", true, "Output tokens."),
            new Meter(CACHE_WRITE_TOKENS, "token", true, "Input tokens written to the prompt cache."),
            new Meter(CACHE_READ_TOKENS, "token", true, "Input tokens read from the prompt cache."));

    private static final List<Model> MODELS = List.of(
            new Model("claude-3-5-sonnet", "Claude 3.5 Sonnet"),
            new Model("claude-sonnet-4", "Claude Sonnet 4"),
            new Model("claude-3-5-haiku", "Claude 3.5 Haiku"),
            new Model("claude-3-opus", "Claude 3 Opus"),
            new Model("claude-3-haiku", "Claude 3 Haiku"));

    private static final List<Rate> DEFAULT_RATES = List.copyOf(rates());

    /** Creates the plugin; use {@link AnthropicPluginFactory}. */
    AnthropicPlugin() {
    }

    @Override
    public String id() {
        return AnthropicPluginFactory.ID;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public String displayName() {
        return "Anthropic";
    }

    @Override
    public List<Meter> meters() {
        return METERS;
    }

    @Override
    public List<Model> models() {
        return MODELS;
    }

    @Override
    public List<Rate> defaultRates() {
        return DEFAULT_RATES;
    }

    /**
     * Reads a Messages API usage object; see the class documentation for the field meanings.
     *
     * @param nativeUsage the usage object
     * @return the four token meters
     * @throws UsageException INVALID_USAGE when a count is missing, not a whole non-negative number
     */
    @Override
    public Map<String, BigDecimal> fromNativeUsage(Map<String, Object> nativeUsage) throws UsageException {
        return Map.of(
                // Taken as is: Anthropic already leaves cache reads and writes out of input_tokens.
                INPUT_TOKENS, USAGE.requiredCount(nativeUsage, ROOT, "input_tokens"),
                OUTPUT_TOKENS, USAGE.requiredCount(nativeUsage, ROOT, "output_tokens"),
                CACHE_WRITE_TOKENS, USAGE.optionalCount(nativeUsage, ROOT, "cache_creation_input_tokens").orElse(BigDecimal.ZERO),
                CACHE_READ_TOKENS, USAGE.optionalCount(nativeUsage, ROOT, "cache_read_input_tokens").orElse(BigDecimal.ZERO));
    }

    private static List<Rate> rates() {
        List<Rate> rates = new ArrayList<>();
        addModel(rates, "claude-3-5-sonnet", "3", "15", "3.75", "0.30");
        addModel(rates, "claude-sonnet-4", "3", "15", "3.75", "0.30");
        addModel(rates, "claude-3-5-haiku", "0.80", "4", "1.00", "0.08");
        addModel(rates, "claude-3-opus", "15", "75", "18.75", "1.50");
        addModel(rates, "claude-3-haiku", "0.25", "1.25", "0.30", "0.03");
        return rates;
    }

    private static void addModel(List<Rate> rates, String model, String input, String output, String cacheWrite, String cacheRead) {
        rates.add(Rate.of(model, INPUT_TOKENS, input, MILLION, CURRENCY));
        rates.add(Rate.of(model, OUTPUT_TOKENS, output, MILLION, CURRENCY));
        rates.add(Rate.of(model, CACHE_WRITE_TOKENS, cacheWrite, MILLION, CURRENCY));
        rates.add(Rate.of(model, CACHE_READ_TOKENS, cacheRead, MILLION, CURRENCY));
    }
}
