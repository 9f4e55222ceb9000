package io.meterline.platform.alert;

/** How serious an alert is. */
public enum AlertLevel {
    WARNING,
    CAUTION,
    CRITICAL,
    EXCEEDED
}
