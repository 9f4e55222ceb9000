package io.meterline.platform.alert;

import io.meterline.platform.common.UserErrorCode;

/** Why an alert mutation was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum AlertErrorCode implements UserErrorCode {
    /** The object is in a state that does not allow the change. */
    INVALID_STATE
}
