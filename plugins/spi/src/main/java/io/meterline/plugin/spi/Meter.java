package io.meterline.plugin.spi;

import java.util.Objects;

/**
 * One quantity a provider charges for.
 *
 * @param key the canonical key used in usage events, such as {@code input_tokens}
 * @param unit the unit a person reads, such as {@code token}, {@code character}, {@code minute}
 * @param integral whether quantities must be whole numbers (tokens are; minutes are not)
 * @param description what is counted, shown to admins
 */
public record Meter(String key, String unit, boolean integral, String description) {

    /** Validates the fields. */
    public Meter {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(unit, "unit is null");
        Objects.requireNonNull(description, "description is null");
    }
}
