package io.meterline.platform.security;

import io.micronaut.core.annotation.Nullable;

/**
 * Reads the credential of an {@code Authorization: Bearer <credential>} value, the one parser of the API-key
 * endpoints ({@code POST /v1/usage}, {@code POST /v1/authorize}) and of the websocket's {@code connection_init}.
 * The scheme matches in any letter case (RFC 9110 makes it case-insensitive); the credential is trimmed.
 */
public final class BearerTokens {

    private static final String SCHEME = "Bearer ";

    private BearerTokens() {
    }

    /** The credential after {@code Bearer }, or null when the value is missing or uses another scheme. */
    @Nullable
    public static String credential(@Nullable String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        return authorization.substring(SCHEME.length()).trim();
    }
}
