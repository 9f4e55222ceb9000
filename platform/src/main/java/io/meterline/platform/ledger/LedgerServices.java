package io.meterline.platform.ledger;

import io.meterline.platform.pricing.MeterClass;
import io.micronaut.core.annotation.Nullable;

/**
 * The service a usage entry is filed under, from the meter's class ({@link MeterClass}, by its unit)
 * and key (seed 001's names): images are {@code ai_images}; cached or cache-read tokens
 * {@code ai_data_cached}; output tokens {@code ai_data_completion}; every other token meter (input,
 * cache writes, flat tokens) {@code ai_data}; characters (ElevenLabs) {@code tts_characters};
 * minutes (Smartflo) {@code call_minutes}; any other unit {@code other_<unit>} (a meter without a
 * unit is filed under its own key).
 */
final class LedgerServices {

    private LedgerServices() {
    }

    static String of(@Nullable String unit, String meter) {
        MeterClass meterClass = MeterClass.of(meter, unit);
        if (meterClass.tokens()) {
            if (meter.equals("cached_tokens") || meter.equals("cache_read_tokens")) {
                return "ai_data_cached";
            }
            return meter.equals("output_tokens") ? "ai_data_completion" : "ai_data";
        }
        return switch (meterClass) {
            case IMAGES -> "ai_images";
            case CHARACTERS -> "tts_characters";
            case MINUTES -> "call_minutes";
            default -> "other_" + (unit == null ? meter : unit);
        };
    }
}
