package io.meterline.platform.common;

import java.util.List;

/** Thrown by a service before it writes anything when a mutation's input is refused; becomes {@code userErrors}. */
public class UserInputException extends RuntimeException {

    private final List<UserError> errors;

    public UserInputException(List<UserError> errors) {
        super(errors.isEmpty() ? "invalid input" : errors.get(0).message());
        this.errors = List.copyOf(errors);
    }

    public UserInputException(UserError error) {
        this(List.of(error));
    }

    public List<UserError> errors() {
        return errors;
    }

    /** Throws when any error was collected. */
    public static void throwIfAny(List<UserError> errors) {
        if (!errors.isEmpty()) {
            throw new UserInputException(errors);
        }
    }
}
