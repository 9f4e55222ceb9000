package io.meterline.platform.security;

import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.authentication.ServerAuthentication;
import java.util.Objects;

/**
 * The authentication {@link RefreshTokenStore} answers for an exchanged refresh token, carrying the
 * key of the successor it already stored in the same transaction that spent the presented one.
 * {@link ThrottlingLoginHandler} signs that key and returns it instead of the spent token. The key
 * is a field, not an attribute: attributes become claims of the access token.
 */
final class RotatedAuthentication extends ServerAuthentication {

    private final transient String successorKey;

    RotatedAuthentication(Authentication authentication, String successorKey) {
        super(authentication.getName(), authentication.getRoles(), authentication.getAttributes());
        this.successorKey = Objects.requireNonNull(successorKey, "successorKey is null");
    }

    String successorKey() {
        return successorKey;
    }
}
