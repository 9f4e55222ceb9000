package io.meterline.platform.alert;

/** Which alerts a list shows. */
public enum AlertStatus {
    ACTIVE,
    ACKNOWLEDGED,
    ALL
}
