package io.meterline.platform.security;

import io.meterline.platform.common.UserErrorCode;

/** Why a credential input (sign-in, password, email change) was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum SecurityErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value has the wrong format. */
    INVALID,
    /** A value is too long or too short. */
    LENGTH,
    /** A value is already taken. */
    TAKEN,
    /** A password breaks a rule of the password policy. */
    WEAK_PASSWORD,
    /** The new password is the current one or one of the last few. */
    PASSWORD_REUSED,
    /** The current password given is not correct. */
    WRONG_PASSWORD,
    /** A link's token has expired. */
    EXPIRED,
    /** A link's token was already used or replaced. */
    ALREADY_USED,
    /** Too many attempts in a short time. */
    THROTTLED
}
