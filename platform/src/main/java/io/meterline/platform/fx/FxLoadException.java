package io.meterline.platform.fx;

import io.micronaut.core.annotation.Nullable;
import java.util.Objects;

/** A load of reference rates that failed, with its class; the message is ours, never the peer's. */
class FxLoadException extends Exception {

    private final FxLoadError error;
    @Nullable
    private final Integer httpStatus;

    FxLoadException(FxLoadError error, String message) {
        this(error, null, message, null);
    }

    FxLoadException(FxLoadError error, @Nullable Integer httpStatus, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error is null");
        this.httpStatus = httpStatus;
    }

    FxLoadError error() {
        return error;
    }

    @Nullable
    Integer httpStatus() {
        return httpStatus;
    }
}
