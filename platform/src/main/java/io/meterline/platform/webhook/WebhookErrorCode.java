package io.meterline.platform.webhook;

import io.meterline.platform.common.UserErrorCode;

/** Why a webhook endpoint input, beyond the URL checks of {@link WebhookUrlRefusal} was refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum WebhookErrorCode implements UserErrorCode {
    /** A required value is missing or blank. */
    BLANK,
    /** A value has the wrong format. */
    INVALID,
    /** A value is too long or too short. */
    LENGTH,
    /** The object is in a state that does not allow the change. */
    INVALID_STATE
}
