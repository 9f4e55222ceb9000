package io.meterline.plugin.spi;

import java.util.Objects;

/** Usage that a plugin cannot understand; the platform rejects the batch with {@link #field()} and {@link #code()}. */
public class UsageException extends Exception {

    /** Why the usage was rejected. */
    public enum Code {
        /** A meter the provider does not have. */
        UNKNOWN_METER,
        /** A quantity below zero. */
        NEGATIVE_QUANTITY,
        /** A fraction where only whole numbers make sense. */
        NOT_INTEGRAL,
        /** A native usage object that cannot be read. */
        INVALID_USAGE,
        /** A native usage object that disagrees with a reported meter. */
        INCONSISTENT_USAGE
    }

    private final String field;
    private final Code code;

    /**
     * Creates the exception.
     *
     * @param field the path of the offending field inside the event, such as {@code meters.input_tokens}
     * @param code why it was rejected
     * @param message a sentence a developer can act on
     */
    public UsageException(String field, Code code, String message) {
        super(message);
        this.field = Objects.requireNonNull(field, "field is null");
        this.code = Objects.requireNonNull(code, "code is null");
    }

    /** The path of the offending field. */
    public String field() {
        return field;
    }

    /** Why it was rejected. */
    public Code code() {
        return code;
    }
}
