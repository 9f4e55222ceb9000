package io.meterline.platform.common;

import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request refused before any GraphQL ran (or a server fault), in the GraphQL-over-HTTP error shape
 * {@code {"errors":[{"message":"...","extensions":{"code":"..."}}]}}, so a client reads every
 * failure of {@code /graphql} the same way, whether graphql-java or the HTTP edge refused it.
 */
@Serdeable
public record ErrorBody(List<Problem> errors) {

    /** One error: a sentence the client can act on and its code. */
    @Serdeable
    public record Problem(String message, Map<String, String> extensions) {
    }

    public ErrorBody {
        errors = List.copyOf(Objects.requireNonNull(errors, "errors is null"));
    }

    public static ErrorBody of(ErrorCode code, String message) {
        return new ErrorBody(List.of(new Problem(message, Map.of("code", code.name()))));
    }
}
