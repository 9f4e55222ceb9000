package io.meterline.plugin.elevenlabs;

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

/**
 * Prices ElevenLabs text to speech by characters.
 *
 * <h2>Meters</h2>
 * {@code characters}: characters of text converted to speech, the unit ElevenLabs bills.
 *
 * <h2>Native usage</h2>
 * {@code {"character_count": N}}, the field name of ElevenLabs' subscription and usage endpoints,
 * becomes {@code characters = N}. N must be a whole, non-negative JSON number.
 *
 * <h2>Default rates</h2>
 * One rate for every model: 0.30 USD per 10,000 characters. The models are listed for admins; they do
 * not change the price until the price book gives one of them its own rate.
 */
public final class ElevenLabsPlugin implements ProviderPlugin {

    /** Reads the native usage object; a refused field is INVALID_USAGE. */
    private static final NativeUsage<UsageException> USAGE = new NativeUsage<>(
            (field, message) -> new UsageException(field, UsageException.Code.INVALID_USAGE, message));

    /** The plugin version recorded with every priced line. */
    public static final String VERSION = "1.0.0";

    /** Characters converted to speech. */
    public static final String CHARACTERS = "characters";

    private static final List<Meter> METERS = List.of(
            new Meter(CHARACTERS, "character", true, "Characters of text converted to speech."));

    private static final List<Model> MODELS = List.of(
            new Model("eleven_multilingual_v2", "Eleven Multilingual v2"),
            new Model("eleven_turbo_v2_5", "Eleven Turbo v2.5"),
            new Model("eleven_flash_v2_5", "Eleven Flash v2.5"));

    private static final List<Rate> DEFAULT_RATES = List.of(
            Rate.of(Rate.ANY_MODEL, CHARACTERS, "0.30", 10_000, "USD"));

    /** Creates the plugin; use {@link ElevenLabsPluginFactory}. */
    ElevenLabsPlugin() {
    }

    @Override
    public String id() {
        return ElevenLabsPluginFactory.ID;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public String displayName() {
        return "ElevenLabs";
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
     * Reads {@code character_count}.
     *
     * @param nativeUsage the usage object
     * @return {@code characters}
     * @throws UsageException INVALID_USAGE when the count is missing or not a whole non-negative number
     */
    @Override
    public Map<String, BigDecimal> fromNativeUsage(Map<String, Object> nativeUsage) throws UsageException {
        return Map.of(CHARACTERS, USAGE.requiredCount(nativeUsage, ROOT, "character_count"));
    }
}
