package io.meterline.platform.usage;

/**
 * Codes of {@link UsageError}s, sent as {@code code} by {@code POST /v1/usage} and in
 * {@code usageRecord}'s {@code errors}. The older codes are still written where they are raised;
 * new ones are added here.
 */
public enum UsageErrorCode {
    /** A text field (id, provider, model, status, a dimension value, reservation_id) holds a control character. */
    INVALID_CHARACTERS,
    /** A reservation_id that no authorization could have issued: too long, or not printable ASCII. */
    INVALID_RESERVATION_ID
}
