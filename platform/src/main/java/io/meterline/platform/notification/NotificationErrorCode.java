package io.meterline.platform.notification;

import io.meterline.platform.common.UserErrorCode;

/** Why an alert-settings input was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum NotificationErrorCode implements UserErrorCode {
    /** A value has the wrong format. */
    INVALID,
    /** A number or day is outside its allowed range. */
    OUT_OF_RANGE
}
