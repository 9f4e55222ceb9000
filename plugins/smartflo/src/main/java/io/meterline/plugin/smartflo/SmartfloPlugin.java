package io.meterline.plugin.smartflo;

import static io.meterline.plugin.toolkit.NativeUsage.ROOT;

import io.meterline.plugin.spi.Meter;
import io.meterline.plugin.spi.Model;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.Rate;
import io.meterline.plugin.spi.UsageException;
import io.meterline.plugin.toolkit.NativeUsage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Prices Smartflo telephony by call minutes, rounded up the way the carrier bills.
 *
 * <h2>Meters</h2>
 * {@code minutes}: the call's duration in minutes, fractions allowed.
 *
 * <h2>Billing increments</h2>
 * The billable quantity is not the duration: the duration is turned into seconds (a fraction of a
 * second counts as a whole one), rounded up to the next multiple of {@code billing-increment-seconds},
 * raised to {@code minimum-seconds} when shorter, and turned back into minutes. With the defaults (60
 * and 60) a 75-second call bills 2 minutes and a 10-second call 1 minute; with 6-second pulses a
 * 75-second call bills 78 seconds, 1.3 minutes. Billable minutes keep 9 decimals, rounded up when an
 * increment does not divide a minute evenly.
 *
 * <h2>Native usage</h2>
 * {@code {"duration_seconds": N}} becomes {@code minutes = N / 60}, kept to 9 decimals. Billing
 * recovers the whole seconds from that, so a 10-second call stays 10 seconds and never becomes 11.
 *
 * <h2>Default rates</h2>
 * One rate for every model: 0.02 USD per minute. The {@code voice} model is listed for admins.
 */
public final class SmartfloPlugin implements ProviderPlugin {

    /** Reads the native usage object; a refused field is INVALID_USAGE. */
    private static final NativeUsage<UsageException> USAGE = new NativeUsage<>(
            (field, message) -> new UsageException(field, UsageException.Code.INVALID_USAGE, message));

    /** The plugin version recorded with every priced line. */
    public static final String VERSION = "1.0.0";

    /** Call minutes. */
    public static final String MINUTES = "minutes";

    /** Scale of stored quantities, which the platform keeps at 9 decimals. */
    private static final int QUANTITY_SCALE = 9;

    /**
     * Scale seconds are rounded to before taking the ceiling. Minutes at 9 decimals carry an error of
     * at most 0.5e-9 minute, 3e-8 second; rounding to 6 decimals removes it so an exact 10 seconds
     * stored as 0.166666667 minute is billed as 10 seconds, not 11.
     */
    private static final int SECONDS_SCALE = 6;

    private static final BigDecimal SECONDS_PER_MINUTE = BigDecimal.valueOf(60);

    private static final List<Meter> METERS = List.of(
            new Meter(MINUTES, "minute", false, "Call duration in minutes, before rounding to the billing increment."));

    private static final List<Model> MODELS = List.of(new Model("voice", "Outbound/inbound voice call"));

    private static final List<Rate> DEFAULT_RATES = List.of(Rate.of(Rate.ANY_MODEL, MINUTES, "0.02", 1, "USD"));

    private final BigDecimal incrementSeconds;
    private final BigDecimal minimumSeconds;

    /**
     * Creates the plugin; use {@link SmartfloPluginFactory}.
     *
     * @param incrementSeconds the billing increment, positive
     * @param minimumSeconds the per-call minimum, positive
     */
    SmartfloPlugin(long incrementSeconds, long minimumSeconds) {
        if (incrementSeconds <= 0 || minimumSeconds <= 0) {
            throw new IllegalArgumentException("the billing increment and the minimum must be positive");
        }
        this.incrementSeconds = BigDecimal.valueOf(incrementSeconds);
        this.minimumSeconds = BigDecimal.valueOf(minimumSeconds);
    }

    @Override
    public String id() {
        return SmartfloPluginFactory.ID;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public String displayName() {
        return "Smartflo";
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
     * Reads {@code duration_seconds}.
     *
     * @param nativeUsage the usage object
     * @return {@code minutes}, the duration divided by 60 to 9 decimals
     * @throws UsageException INVALID_USAGE when the duration is missing, not a number or negative
     */
    @Override
    public Map<String, BigDecimal> fromNativeUsage(Map<String, Object> nativeUsage) throws UsageException {
        BigDecimal seconds = USAGE.requiredNumber(nativeUsage, ROOT, "duration_seconds");
        return Map.of(MINUTES, plain(seconds.divide(SECONDS_PER_MINUTE, QUANTITY_SCALE, RoundingMode.HALF_UP)));
    }

    /**
     * Rounds a call up to the billing increment and the per-call minimum; see the class documentation.
     *
     * @param meter the meter key
     * @param quantity the call minutes
     * @return the billable minutes; zero for no call at all
     */
    @Override
    public BigDecimal billableQuantity(String meter, BigDecimal quantity) {
        if (!MINUTES.equals(meter) || quantity.signum() <= 0) {
            return quantity;
        }
        BigDecimal seconds = quantity.multiply(SECONDS_PER_MINUTE)
                .setScale(SECONDS_SCALE, RoundingMode.HALF_UP)
                .setScale(0, RoundingMode.CEILING);
        BigDecimal increments = seconds.divide(incrementSeconds, 0, RoundingMode.CEILING);
        BigDecimal billableSeconds = increments.multiply(incrementSeconds).max(minimumSeconds);
        return plain(billableSeconds.divide(SECONDS_PER_MINUTE, QUANTITY_SCALE, RoundingMode.UP));
    }

    /** Drops trailing zeros without switching to exponent notation, so 2.000000000 reads 2 and 600 seconds reads 10. */
    private static BigDecimal plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
