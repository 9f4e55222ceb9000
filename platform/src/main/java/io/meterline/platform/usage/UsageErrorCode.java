package io.meterline.platform.usage;

/**
 * Codes of {@link UsageError}s: sent as {@code code} by {@code POST /v1/usage} (and its request-shape errors by
 * {@code POST /v1/authorize}) and in {@code usageRecord}'s {@code errors}, where the schema's enum
 * {@code UsageErrorCode} lists exactly these names ({@code ErrorCodeSchemaTest} fails the build when the two differ).
 * The REST JSON carries the names as plain strings, as before. The plugin SPI's {@code UsageException.Code} values
 * are passed through under the same names, so each of them is a constant here too.
 */
public enum UsageErrorCode {
    /** The request's Content-Type is not application/json (REST only). */
    UNSUPPORTED_MEDIA_TYPE,
    /** No active API key was sent (REST only). */
    UNAUTHENTICATED,
    /** The body is not JSON (REST only). */
    INVALID_JSON,
    /** The body, or a part of it, does not have the expected shape, such as no {@code events} array. */
    INVALID_BODY,
    /** A batch without events. */
    EMPTY_BATCH,
    /** A batch with more events than allowed. */
    BATCH_TOO_LARGE,
    /** An event that is not a JSON object. */
    INVALID_EVENT,
    /** A field the event or request does not have. */
    UNKNOWN_FIELD,
    /** An id that is not 1 to 128 printable ASCII characters without spaces. */
    INVALID_ID,
    /** Meters that are not an object of meter names to numbers. */
    INVALID_METERS,
    /** A fraction where only whole numbers make sense. */
    NOT_INTEGRAL,
    /** A native usage object that cannot be read. */
    INVALID_USAGE,
    /** A native usage object that disagrees with a reported meter. */
    INCONSISTENT_USAGE,
    /** A meter the provider does not have. */
    UNKNOWN_METER,
    /** A reservation_id that no authorization could have issued: too long, or not printable ASCII. */
    INVALID_RESERVATION_ID,
    /** A required field is absent. */
    MISSING,
    /** A field of the wrong JSON type, such as a number where a string belongs. */
    INVALID_TYPE,
    /** A text field (id, provider, model, status, a dimension value, reservation_id) holds a control character. */
    INVALID_CHARACTERS,
    /** A text longer than allowed. */
    TOO_LONG,
    /** A timestamp that is not RFC 3339 with an offset. */
    INVALID_TIMESTAMP,
    /** A timestamp further in the future than the server allows. */
    TIMESTAMP_IN_FUTURE,
    /** A timestamp before 2000-01-01. */
    TIMESTAMP_TOO_OLD,
    /** A quantity that is not a number. */
    NOT_A_NUMBER,
    /** A quantity below zero. */
    NEGATIVE_QUANTITY,
    /** A quantity larger than allowed. */
    OVERFLOW,
    /** A quantity with more decimals than allowed. */
    TOO_PRECISE,
    /** A number outside its range, such as an authorization's ttl_seconds (authorize only). */
    OUT_OF_RANGE,
    /** Dimensions that are not an object. */
    INVALID_DIMENSIONS,
    /** Tags that are not an object. */
    INVALID_TAGS,
    /** A dimension the platform does not know. */
    UNKNOWN_DIMENSION,
    /** A provider without an installed plugin. */
    UNKNOWN_PROVIDER,
    /** Usage for a model without a price, refused by the organization's strict policy. */
    UNPRICED,
    /** An event id reused with different content. */
    CONFLICT,
    /** A tool user's event naming another Account ID than its own. */
    INVALID_ACCOUNT_ID
}
