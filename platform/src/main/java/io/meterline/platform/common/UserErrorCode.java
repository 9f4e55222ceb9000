package io.meterline.platform.common;

/**
 * A code of a {@link UserError}: a value of the schema's {@code UserErrorCode} enum. Each feature package keeps its
 * codes in its own Java enum implementing this (such as {@code account.AccountErrorCode}), so a call site names a
 * constant rather than a string, and {@code UserErrorCodesTest} fails the build when the enums and the schema disagree:
 * every constant is a schema value and every schema value is some enum's constant.
 */
public interface UserErrorCode {

    /** The code as the schema and the wire spell it: the enum constant's name. */
    String name();
}
