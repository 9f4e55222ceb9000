package io.meterline.platform.pricing;

import io.micronaut.core.annotation.Nullable;
import java.util.Locale;

/**
 * What a dashboard counts a meter as, from the unit its plugin declares ({@link PluginRegistry#units})
 * and, for tokens, the meter key: output tokens are keys starting with {@code output} or
 * {@code completion}; input tokens are every other token meter (cached, cache reads and writes, and a
 * flat {@code tokens} meter), so input plus output is every token.
 */
public enum MeterClass {
    INPUT_TOKENS, OUTPUT_TOKENS, CHARACTERS, MINUTES, IMAGES, OTHER;

    public static MeterClass of(String meter, @Nullable String unit) {
        if (unit == null) {
            return OTHER;
        }
        String key = meter.toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "token" -> key.startsWith("output") || key.startsWith("completion") ? OUTPUT_TOKENS : INPUT_TOKENS;
            case "character" -> CHARACTERS;
            case "minute" -> MINUTES;
            case "image" -> IMAGES;
            default -> OTHER;
        };
    }

    public boolean tokens() {
        return this == INPUT_TOKENS || this == OUTPUT_TOKENS;
    }
}
