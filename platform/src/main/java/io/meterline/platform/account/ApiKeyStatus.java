package io.meterline.platform.account;

/** Whether an API key may still be used. */
public enum ApiKeyStatus {
    ACTIVE,
    REVOKED
}
