package io.meterline.platform.common;

/** Why a contact field (name, email, address) shared by several inputs was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum ContactErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value has the wrong format. */
    INVALID,
    /** A value is too long or too short. */
    LENGTH
}
