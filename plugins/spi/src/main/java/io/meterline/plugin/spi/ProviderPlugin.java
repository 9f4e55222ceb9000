package io.meterline.plugin.spi;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Prices one provider's usage: names its meters and models, offers default rates, turns what a
 * caller reported into canonical meter quantities, and multiplies quantities by rates.
 *
 * <p>Implementations are immutable and thread safe. New capabilities arrive as {@code default}
 * methods, so a plugin compiled against an older SPI keeps working.
 */
public interface ProviderPlugin {

    /** Scale of every amount a plugin returns before the platform rounds it once. */
    int AMOUNT_SCALE = 12;

    /** The provider id, equal to its factory's {@link ProviderPluginFactory#id()}. */
    String id();

    /** The plugin's own version, recorded with every priced line as {@code id@version}. */
    String version();

    /** A human readable provider name, such as {@code OpenAI}. */
    String displayName();

    /** The meters this provider reports, such as input tokens or characters. Never empty. */
    List<Meter> meters();

    /** The models this plugin knows. Events for other models of the provider are accepted and left unpriced until a rate exists. */
    List<Model> models();

    /** Rates the price book starts with; the platform admin can replace each with a new version. */
    List<Rate> defaultRates();

    /**
     * Turns reported usage into canonical meter quantities.
     *
     * <p>The default implementation accepts only the {@link UsageInput#meters() meters map}; a plugin
     * that understands its provider's native usage object overrides {@link #fromNativeUsage}.
     *
     * @param input what the caller reported
     * @return the quantity of each meter, keyed by {@link Meter#key()}
     * @throws UsageException when the usage cannot be understood
     */
    default Map<String, BigDecimal> normalize(UsageInput input) throws UsageException {
        Map<String, BigDecimal> quantities = new TreeMap<>(input.meters());
        if (input.nativeUsage() != null && !input.nativeUsage().isEmpty()) {
            Map<String, BigDecimal> fromNative = fromNativeUsage(input.nativeUsage());
            for (Map.Entry<String, BigDecimal> entry : fromNative.entrySet()) {
                BigDecimal reported = quantities.get(entry.getKey());
                if (reported != null && reported.compareTo(entry.getValue()) != 0) {
                    throw new UsageException("meters." + entry.getKey(), UsageException.Code.INCONSISTENT_USAGE,
                            "meters." + entry.getKey() + " is " + reported.toPlainString() + " but the usage object gives "
                                    + entry.getValue().toPlainString());
                }
                quantities.put(entry.getKey(), entry.getValue());
            }
        }
        validate(quantities);
        return quantities;
    }

    /**
     * Reads the provider's own usage object, such as OpenAI's {@code usage} with
     * {@code prompt_tokens}. The default implementation rejects any native usage.
     *
     * @param nativeUsage the parsed JSON object: values are {@link BigDecimal}, {@link String},
     *     {@link Boolean}, {@link Map} or {@link List}
     * @return canonical meter quantities
     * @throws UsageException when the object cannot be understood
     */
    default Map<String, BigDecimal> fromNativeUsage(Map<String, Object> nativeUsage) throws UsageException {
        throw new UsageException("usage", UsageException.Code.INVALID_USAGE,
                "Provider " + id() + " does not accept a native usage object; report meters instead");
    }

    /**
     * Checks canonical quantities against this plugin's meters: known keys, not negative, whole
     * numbers for integral meters.
     *
     * @param quantities quantities keyed by meter
     * @throws UsageException on the first problem
     */
    default void validate(Map<String, BigDecimal> quantities) throws UsageException {
        Map<String, Meter> byKey = meters().stream().collect(Collectors.toMap(Meter::key, meter -> meter));
        for (Map.Entry<String, BigDecimal> entry : quantities.entrySet()) {
            String field = "meters." + entry.getKey();
            Meter meter = byKey.get(entry.getKey());
            if (meter == null) {
                throw new UsageException(field, UsageException.Code.UNKNOWN_METER,
                        "Provider " + id() + " has no meter " + entry.getKey() + "; known: " + byKey.keySet());
            }
            BigDecimal quantity = entry.getValue();
            if (quantity.signum() < 0) {
                throw new UsageException(field, UsageException.Code.NEGATIVE_QUANTITY, field + " must not be negative");
            }
            if (meter.integral() && quantity.stripTrailingZeros().scale() > 0) {
                throw new UsageException(field, UsageException.Code.NOT_INTEGRAL, field + " must be a whole number");
            }
        }
    }

    /**
     * The quantity that is charged for a meter, before rates apply. Most providers charge what was
     * used; a telephony provider may round a call up to its billing increment.
     *
     * @param meter the meter key
     * @param quantity the used quantity
     * @return the billable quantity
     */
    default BigDecimal billableQuantity(String meter, BigDecimal quantity) {
        return quantity;
    }

    /**
     * Prices canonical quantities: one line per meter with a non-zero quantity. A meter without a
     * rate yields a line whose {@link PricedLine#rate()} is empty, so the event is stored as unpriced
     * rather than as free.
     *
     * @param model the model of the event
     * @param quantities canonical quantities from {@link #normalize(UsageInput)}
     * @param rates the rates in effect at the event's time
     * @return the priced lines, ordered by meter key
     */
    default List<PricedLine> price(String model, Map<String, BigDecimal> quantities, RateLookup rates) {
        List<PricedLine> lines = new ArrayList<>();
        for (Map.Entry<String, BigDecimal> entry : new TreeMap<>(quantities).entrySet()) {
            if (entry.getValue().signum() == 0) {
                continue;
            }
            BigDecimal billable = billableQuantity(entry.getKey(), entry.getValue());
            Optional<Rate> rate = rates.find(model, entry.getKey());
            BigDecimal amount = rate.map(found -> found.amountFor(billable)).orElse(null);
            lines.add(new PricedLine(entry.getKey(), entry.getValue(), billable, rate, amount));
        }
        return List.copyOf(lines);
    }

    /** The meter keys of this plugin. */
    default Set<String> meterKeys() {
        return meters().stream().map(Meter::key).collect(Collectors.toUnmodifiableSet());
    }

    /** Precision used for intermediate money arithmetic. */
    MathContext MONEY_CONTEXT = MathContext.DECIMAL128;
}
