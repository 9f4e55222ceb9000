package io.meterline.plugin.spi;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a caller reported for one event, before normalisation.
 *
 * @param model the model id
 * @param meters quantities keyed by meter, as reported
 * @param nativeUsage the provider's own usage object (parsed JSON, so values may be {@code null}), or
 *     an empty map
 */
public record UsageInput(String model, Map<String, BigDecimal> meters, Map<String, Object> nativeUsage) {

    /**
     * Copies the maps, so the caller cannot change the input after it was validated. The native
     * usage copy is shallow and keeps {@code null} values, which JSON allows and {@link Map#copyOf}
     * would reject.
     */
    public UsageInput {
        Objects.requireNonNull(model, "model is null");
        meters = Map.copyOf(Objects.requireNonNull(meters, "meters is null"));
        nativeUsage = nativeUsage == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(nativeUsage));
    }
}
