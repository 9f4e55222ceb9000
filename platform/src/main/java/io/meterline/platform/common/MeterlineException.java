package io.meterline.platform.common;

import java.util.Objects;

/** A request that cannot be served; the GraphQL layer maps it to an error with {@link #code()}. */
public class MeterlineException extends RuntimeException {

    private final ErrorCode code;

    public MeterlineException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code is null");
    }

    public ErrorCode code() {
        return code;
    }

    public static MeterlineException notFound(String what) {
        return new MeterlineException(ErrorCode.NOT_FOUND, what + " was not found");
    }

    public static MeterlineException forbidden(String message) {
        return new MeterlineException(ErrorCode.FORBIDDEN, message);
    }

    public static MeterlineException badInput(String message) {
        return new MeterlineException(ErrorCode.BAD_USER_INPUT, message);
    }
}
