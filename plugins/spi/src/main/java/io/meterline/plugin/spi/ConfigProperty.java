package io.meterline.plugin.spi;

import java.util.Objects;

/**
 * One configuration key a plugin understands.
 *
 * @param key the key, such as {@code billing-increment-seconds}
 * @param description what the key changes, shown to admins
 * @param defaultValue the value used when none is configured, or {@code null} when the key is required
 * @param secret whether the value is a secret that must never be shown or logged
 */
public record ConfigProperty(String key, String description, String defaultValue, boolean secret) {

    /** Validates the key and description. */
    public ConfigProperty {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(description, "description is null");
    }
}
