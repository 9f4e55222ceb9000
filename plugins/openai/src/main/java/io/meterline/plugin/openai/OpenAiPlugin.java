package io.meterline.plugin.openai;

import static io.meterline.plugin.toolkit.NativeUsage.ROOT;

import io.meterline.plugin.spi.Meter;
import io.meterline.plugin.spi.Model;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.Rate;
import io.meterline.plugin.spi.UsageException;
import io.meterline.plugin.toolkit.NativeUsage;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prices OpenAI text models by token.
 *
 * <h2>Meters</h2>
 * <ul>
 *   <li>{@code input_tokens}: prompt tokens that were <em>not</em> served from the prompt cache.</li>
 *   <li>{@code cached_tokens}: prompt tokens served from the prompt cache, charged at the cached rate.</li>
 *   <li>{@code output_tokens}: completion tokens, reasoning tokens included.</li>
 * </ul>
 * The canonical {@code input_tokens} excludes cached tokens, so that {@code input_tokens +
 * cached_tokens} is the whole prompt and no token is charged twice. OpenAI's own counts include the
 * cached tokens in the prompt count, which is why a caller reporting meters directly must subtract
 * them, and why {@link #fromNativeUsage} does.
 *
 * <h2>Native usage</h2>
 * Either usage object OpenAI returns is accepted:
 * <ul>
 *   <li>Chat Completions: {@code prompt_tokens} (required; includes cached tokens),
 *       {@code completion_tokens} (optional, 0 when absent as in embeddings; includes reasoning tokens),
 *       {@code total_tokens} (optional; must equal prompt plus completion),
 *       {@code prompt_tokens_details.cached_tokens} (optional) and
 *       {@code completion_tokens_details.reasoning_tokens} (optional; not charged separately because
 *       it is already inside {@code completion_tokens}, only checked not to exceed it).</li>
 *   <li>Responses API: {@code input_tokens} (required; includes cached tokens), {@code output_tokens}
 *       (required; includes reasoning tokens), {@code total_tokens} (optional; must equal input plus
 *       output), {@code input_tokens_details.cached_tokens} (optional) and
 *       {@code output_tokens_details.reasoning_tokens} (optional; checked like the above).</li>
 * </ul>
 * So a prompt of 1,000 tokens of which 200 were cached becomes {@code input_tokens = 800},
 * {@code cached_tokens = 200}. Counts must be whole, non-negative JSON numbers; other fields (audio
 * tokens, prediction tokens) are ignored. Anything else is rejected with
 * {@link UsageException.Code#INVALID_USAGE}.
 *
 * <h2>Default rates</h2>
 * USD, per 1,000 tokens for the older models (as their prices were published) and per 1,000,000 for
 * the others. Models without a cached price charge cached tokens at the input price, so a cached
 * token is never left unpriced by accident. The {@code generic} model carries the reseller rates of
 * a generic AI text service.
 */
public final class OpenAiPlugin implements ProviderPlugin {

    /** Reads the native usage object; a refused field is INVALID_USAGE. */
    private static final NativeUsage<UsageException> USAGE = new NativeUsage<>(
            (field, message) -> new UsageException(field, UsageException.Code.INVALID_USAGE, message));

    /** The plugin version recorded with every priced line. */
    public static final String VERSION = "1.0.0";

    /** Prompt tokens not served from the cache. */
    public static final String INPUT_TOKENS = "input_tokens";
    /** Prompt tokens served from the cache. */
    public static final String CACHED_TOKENS = "cached_tokens";
    /** Completion tokens, reasoning included. */
    public static final String OUTPUT_TOKENS = "output_tokens";

    private static final String CURRENCY = "USD";
    private static final long THOUSAND = 1_000;
    private static final long MILLION = 1_000_000;

    private static final List<Meter> METERS = List.of(
            new Meter(INPUT_TOKENS, "token", true, "Prompt tokens not served from the prompt cache."),
            new Meter(CACHED_TOKENS, "token", true, "Prompt tokens served from the prompt cache."),
            new Meter(OUTPUT_TOKENS, "token", true, "Completion tokens, reasoning tokens included."));

    private static final List<Model> MODELS = List.of(
            new Model("gpt-4", "GPT-4"),
            new Model("gpt-4-turbo", "GPT-4 Turbo"),
            new Model("gpt-3.5-turbo", "GPT-3.5 Turbo"),
            new Model("gpt-4o", "GPT-4o"),
            new Model("gpt-4o-mini", "GPT-4o mini"),
            new Model("generic", "Generic AI text, the seed 001 reseller rates"));

    private static final List<Rate> DEFAULT_RATES = List.of(
            // No cached price was ever published for these: cached tokens cost what input tokens cost.
            Rate.of("gpt-4", INPUT_TOKENS, "0.03", THOUSAND, CURRENCY),
            Rate.of("gpt-4", CACHED_TOKENS, "0.03", THOUSAND, CURRENCY),
            Rate.of("gpt-4", OUTPUT_TOKENS, "0.06", THOUSAND, CURRENCY),
            Rate.of("gpt-4-turbo", INPUT_TOKENS, "0.01", THOUSAND, CURRENCY),
            Rate.of("gpt-4-turbo", CACHED_TOKENS, "0.01", THOUSAND, CURRENCY),
            Rate.of("gpt-4-turbo", OUTPUT_TOKENS, "0.03", THOUSAND, CURRENCY),
            Rate.of("gpt-3.5-turbo", INPUT_TOKENS, "0.0005", THOUSAND, CURRENCY),
            Rate.of("gpt-3.5-turbo", CACHED_TOKENS, "0.0005", THOUSAND, CURRENCY),
            Rate.of("gpt-3.5-turbo", OUTPUT_TOKENS, "0.0015", THOUSAND, CURRENCY),
            Rate.of("gpt-4o", INPUT_TOKENS, "2.50", MILLION, CURRENCY),
            Rate.of("gpt-4o", CACHED_TOKENS, "1.25", MILLION, CURRENCY),
            Rate.of("gpt-4o", OUTPUT_TOKENS, "10.00", MILLION, CURRENCY),
            Rate.of("gpt-4o-mini", INPUT_TOKENS, "0.15", MILLION, CURRENCY),
            Rate.of("gpt-4o-mini", CACHED_TOKENS, "0.075", MILLION, CURRENCY),
            Rate.of("gpt-4o-mini", OUTPUT_TOKENS, "0.60", MILLION, CURRENCY),
            Rate.of("generic", INPUT_TOKENS, "0.60", MILLION, CURRENCY),
            Rate.of("generic", CACHED_TOKENS, "0.075", MILLION, CURRENCY),
            Rate.of("generic", OUTPUT_TOKENS, "1.00", MILLION, CURRENCY));

    /** Creates the plugin; use {@link OpenAiPluginFactory}. */
    OpenAiPlugin() {
    }

    @Override
    public String id() {
        return OpenAiPluginFactory.ID;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public String displayName() {
        return "OpenAI";
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
     * Reads a Chat Completions or Responses API usage object; see the class documentation for the
     * field meanings.
     *
     * @param nativeUsage the usage object
     * @return {@code input_tokens} (cached excluded), {@code cached_tokens} and {@code output_tokens}
     * @throws UsageException INVALID_USAGE when the object is neither kind, or its counts are not
     *     whole non-negative numbers or do not add up
     */
    @Override
    public Map<String, BigDecimal> fromNativeUsage(Map<String, Object> nativeUsage) throws UsageException {
        boolean chatCompletions = USAGE.present(nativeUsage, "prompt_tokens");
        boolean responses = USAGE.present(nativeUsage, "input_tokens");
        if (chatCompletions && responses) {
            throw USAGE.invalid(ROOT, "usage has both prompt_tokens (Chat Completions) and input_tokens (Responses API); send one object");
        }
        if (chatCompletions) {
            return read(nativeUsage, "prompt_tokens", "completion_tokens", false, "prompt_tokens_details", "completion_tokens_details");
        }
        if (responses) {
            return read(nativeUsage, "input_tokens", "output_tokens", true, "input_tokens_details", "output_tokens_details");
        }
        throw USAGE.invalid(ROOT, "usage needs prompt_tokens (Chat Completions) or input_tokens (Responses API)");
    }

    /** Both objects have the same shape under different names, and both count cached tokens inside the prompt. */
    private static Map<String, BigDecimal> read(Map<String, Object> usage, String promptKey, String completionKey,
            boolean completionRequired, String promptDetailsKey, String completionDetailsKey) throws UsageException {
        BigDecimal prompt = USAGE.requiredCount(usage, ROOT, promptKey);
        BigDecimal completion = completionRequired
                ? USAGE.requiredCount(usage, ROOT, completionKey)
                : USAGE.optionalCount(usage, ROOT, completionKey).orElse(BigDecimal.ZERO);

        Optional<BigDecimal> total = USAGE.optionalCount(usage, ROOT, "total_tokens");
        if (total.isPresent() && total.get().compareTo(prompt.add(completion)) != 0) {
            throw USAGE.invalid(ROOT + ".total_tokens", ROOT + ".total_tokens is " + total.get().toPlainString() + " but "
                    + promptKey + " + " + completionKey + " is " + prompt.add(completion).toPlainString());
        }

        String promptDetailsPath = ROOT + "." + promptDetailsKey;
        BigDecimal cached = BigDecimal.ZERO;
        Optional<Map<String, Object>> promptDetails = USAGE.optionalObject(usage, ROOT, promptDetailsKey);
        if (promptDetails.isPresent()) {
            cached = USAGE.optionalCount(promptDetails.get(), promptDetailsPath, "cached_tokens").orElse(BigDecimal.ZERO);
        }
        if (cached.compareTo(prompt) > 0) {
            throw USAGE.invalid(promptDetailsPath + ".cached_tokens", promptDetailsPath + ".cached_tokens is " + cached.toPlainString()
                    + " but " + ROOT + "." + promptKey + ", which includes the cached tokens, is only " + prompt.toPlainString());
        }

        String completionDetailsPath = ROOT + "." + completionDetailsKey;
        Optional<Map<String, Object>> completionDetails = USAGE.optionalObject(usage, ROOT, completionDetailsKey);
        if (completionDetails.isPresent()) {
            // Reasoning is charged as output and already counted there; more reasoning than output means
            // the caller split them apart, and adding them back would be a guess.
            Optional<BigDecimal> reasoning = USAGE.optionalCount(completionDetails.get(), completionDetailsPath, "reasoning_tokens");
            if (reasoning.isPresent() && reasoning.get().compareTo(completion) > 0) {
                throw USAGE.invalid(completionDetailsPath + ".reasoning_tokens", completionDetailsPath + ".reasoning_tokens is "
                        + reasoning.get().toPlainString() + " but " + ROOT + "." + completionKey
                        + ", which includes the reasoning tokens, is only " + completion.toPlainString());
            }
        }

        return Map.of(
                INPUT_TOKENS, prompt.subtract(cached),
                CACHED_TOKENS, cached,
                OUTPUT_TOKENS, completion);
    }
}
