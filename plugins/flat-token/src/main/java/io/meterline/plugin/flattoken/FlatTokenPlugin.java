package io.meterline.plugin.flattoken;

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
import java.util.Objects;
import java.util.Optional;

/**
 * Prices every token of every model at one configured price.
 *
 * <h2>Meters</h2>
 * {@code tokens}: all tokens of a call, input and output alike.
 *
 * <h2>Native usage</h2>
 * An OpenAI-style object: {@code {"prompt_tokens": a, "completion_tokens": b}} becomes
 * {@code tokens = a + b} (either may be absent, counting 0), and {@code {"total_tokens": n}} becomes
 * {@code tokens = n}. When both forms are present they must agree. Cached tokens are not told apart:
 * a flat price has no cached discount.
 *
 * <h2>Default rates</h2>
 * One rate for every model: {@code price-per-token} (default 0.00002) of {@code currency} (default
 * EUR) per token. The plugin lists no models because the price does not depend on one.
 */
public final class FlatTokenPlugin implements ProviderPlugin {

    /** Reads the native usage object; a refused field is INVALID_USAGE. */
    private static final NativeUsage<UsageException> USAGE = new NativeUsage<>(
            (field, message) -> new UsageException(field, UsageException.Code.INVALID_USAGE, message));

    /** The plugin version recorded with every priced line. */
    public static final String VERSION = "1.0.0";

    /** All tokens of a call. */
    public static final String TOKENS = "tokens";

    private static final List<Meter> METERS = List.of(
            new Meter(TOKENS, "token", true, "All tokens of a call, input and output alike."));

    private final List<Rate> defaultRates;

    /**
     * Creates the plugin; use {@link FlatTokenPluginFactory}.
     *
     * @param pricePerToken the price of one token, not negative
     * @param currency the ISO 4217 currency code
     */
    FlatTokenPlugin(BigDecimal pricePerToken, String currency) {
        Objects.requireNonNull(pricePerToken, "pricePerToken is null");
        Objects.requireNonNull(currency, "currency is null");
        this.defaultRates = List.of(new Rate(Rate.ANY_MODEL, TOKENS, pricePerToken, BigDecimal.ONE, currency, 0));
    }

    @Override
    public String id() {
        return FlatTokenPluginFactory.ID;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public String displayName() {
        return "Flat per-token price";
    }

    @Override
    public List<Meter> meters() {
        return METERS;
    }

    @Override
    public List<Model> models() {
        return List.of();
    }

    @Override
    public List<Rate> defaultRates() {
        return defaultRates;
    }

    /**
     * Reads {@code prompt_tokens} and {@code completion_tokens}, or {@code total_tokens}.
     *
     * @param nativeUsage the usage object
     * @return {@code tokens}
     * @throws UsageException INVALID_USAGE when no count is present, a count is not a whole
     *     non-negative number, or the total disagrees with the parts
     */
    @Override
    public Map<String, BigDecimal> fromNativeUsage(Map<String, Object> nativeUsage) throws UsageException {
        Optional<BigDecimal> prompt = USAGE.optionalCount(nativeUsage, ROOT, "prompt_tokens");
        Optional<BigDecimal> completion = USAGE.optionalCount(nativeUsage, ROOT, "completion_tokens");
        Optional<BigDecimal> total = USAGE.optionalCount(nativeUsage, ROOT, "total_tokens");
        if (prompt.isEmpty() && completion.isEmpty()) {
            if (total.isEmpty()) {
                throw USAGE.invalid(ROOT, "usage needs prompt_tokens and completion_tokens, or total_tokens");
            }
            return Map.of(TOKENS, total.get());
        }
        BigDecimal sum = prompt.orElse(BigDecimal.ZERO).add(completion.orElse(BigDecimal.ZERO));
        if (total.isPresent() && total.get().compareTo(sum) != 0) {
            throw USAGE.invalid(ROOT + ".total_tokens", ROOT + ".total_tokens is " + total.get().toPlainString()
                    + " but prompt_tokens + completion_tokens is " + sum.toPlainString());
        }
        return Map.of(TOKENS, sum);
    }
}
