package io.meterline.plugin.images;

import io.meterline.plugin.spi.Meter;
import io.meterline.plugin.spi.Model;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.Rate;

import java.util.List;

/**
 * Prices image generation and analysis per image.
 *
 * <h2>Meters</h2>
 * {@code images}: images generated or analysed, whole numbers.
 *
 * <h2>Native usage</h2>
 * None: image APIs report no usage object worth trusting for a count, so callers report
 * {@code meters.images} and a native usage object is rejected with {@code INVALID_USAGE}.
 *
 * <h2>Default rates</h2>
 * One rate for every model: 0.0001 USD per image (1.00 USD per 10,000 images). The models are
 * listed for admins; they do not change the price until the price book gives one its own rate.
 */
public final class ImagesPlugin implements ProviderPlugin {

    /** The plugin version recorded with every priced line. */
    public static final String VERSION = "1.0.0";

    /** Images generated or analysed. */
    public static final String IMAGES = "images";

    private static final List<Meter> METERS = List.of(
            new Meter(IMAGES, "image", true, "Images generated or analysed."));

    private static final List<Model> MODELS = List.of(
            new Model("dall-e-3", "DALL-E 3"),
            new Model("gpt-image-1", "GPT Image 1"),
            new Model("vision", "Image analysis"));

    private static final List<Rate> DEFAULT_RATES = List.of(
            Rate.of(Rate.ANY_MODEL, IMAGES, "0.0001", 1, "USD"));

    /** Creates the plugin; use {@link ImagesPluginFactory}. */
    ImagesPlugin() {
    }

    @Override
    public String id() {
        return ImagesPluginFactory.ID;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public String displayName() {
        return "Images";
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
}
