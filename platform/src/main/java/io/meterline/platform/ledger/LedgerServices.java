package io.meterline.platform.ledger;

/**
 * The service a usage entry is filed under, from the meter's unit and key (seed 001's names):
 * images are {@code ai_images}; cached or cache-read tokens {@code ai_data_cached}; output tokens
 * {@code ai_data_completion}; every other token meter (input, cache writes, flat tokens)
 * {@code ai_data}; characters (ElevenLabs) {@code tts_characters}; minutes (Smartflo)
 * {@code call_minutes}; any other unit {@code other_<unit>}.
 */
final class LedgerServices {

    static final String TOKEN_UNIT = "token";
    static final String IMAGE_UNIT = "image";

    private LedgerServices() {
    }

    static String of(String unit, String meter) {
        return switch (unit) {
            case TOKEN_UNIT -> {
                if (meter.equals("cached_tokens") || meter.equals("cache_read_tokens")) {
                    yield "ai_data_cached";
                }
                yield meter.equals("output_tokens") ? "ai_data_completion" : "ai_data";
            }
            case IMAGE_UNIT -> "ai_images";
            case "character" -> "tts_characters";
            case "minute" -> "call_minutes";
            default -> "other_" + unit;
        };
    }
}
