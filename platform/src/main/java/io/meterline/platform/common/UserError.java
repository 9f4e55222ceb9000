package io.meterline.platform.common;

import java.util.List;
import java.util.Objects;

/**
 * A problem with a mutation's input that the user can fix.
 *
 * @param field the path of the offending input field
 * @param message a sentence the user can act on
 * @param code a stable code from the schema's {@code UserErrorCode}: a constant of a domain's error enum, never a free string
 */
public record UserError(List<String> field, String message, UserErrorCode code) {

    public UserError {
        field = List.copyOf(field);
        Objects.requireNonNull(message, "message is null");
        Objects.requireNonNull(code, "code is null");
    }

    /** An error on one field of the mutation's {@code input}. */
    public static UserError of(String inputField, UserErrorCode code, String message) {
        return new UserError(List.of("input", inputField), message, code);
    }
}
