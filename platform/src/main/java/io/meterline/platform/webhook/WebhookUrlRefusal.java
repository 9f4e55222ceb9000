package io.meterline.platform.webhook;

import io.meterline.platform.common.UserErrorCode;

/** Why an endpoint URL is refused; each name is a value of the schema's {@code UserErrorCode}. */
public enum WebhookUrlRefusal implements UserErrorCode {
    /** Not an absolute http(s) URL with a host, or one with a user name or password in it. */
    INVALID("URL must be an absolute http or https URL with a host name and no user name or password"),
    /** Plain http while {@code meterline.webhooks.allow-http} is off. */
    SCHEME_NOT_ALLOWED("URL must use https"),
    /** The host is or resolves to a loopback, private, link-local or other non-public address. */
    ADDRESS_NOT_ALLOWED("URL's host must be reachable on the public internet; it is or resolves to a private, loopback or reserved address"),
    /** DNS has no address for the host, so it cannot be checked. */
    HOST_NOT_FOUND("URL's host name was not found in DNS");

    private final String message;

    WebhookUrlRefusal(String message) {
        this.message = message;
    }

    /** A sentence for the user; never echoes the URL or anything a resolver answered. */
    public String message() {
        return message;
    }
}
