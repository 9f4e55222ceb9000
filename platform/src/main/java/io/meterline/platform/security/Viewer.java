package io.meterline.platform.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import java.util.Map;
import java.util.Objects;

/**
 * Who is asking: the signed-in user, their role and organization. Built once per request from the
 * JWT's claims, so no request reads the user table to learn who it is.
 *
 * @param userId the user's row id
 * @param email the user's email
 * @param role the user's role
 * @param organizationId the user's organization, null for platform admins
 */
public record Viewer(long userId, String email, Role role, @Nullable Long organizationId) {

    static final String USER_ID_CLAIM = "uid";
    static final String ORGANIZATION_ID_CLAIM = "org";

    public Viewer {
        Objects.requireNonNull(email, "email is null");
        Objects.requireNonNull(role, "role is null");
        if ((role == Role.PLATFORM_ADMIN) != (organizationId == null)) {
            throw new IllegalArgumentException("platform admins, and only they, have no organization");
        }
    }

    public boolean isPlatformAdmin() {
        return role == Role.PLATFORM_ADMIN;
    }

    /** The claims that carry this viewer inside a token. */
    Map<String, Object> claims() {
        return organizationId == null
                ? Map.of(USER_ID_CLAIM, userId)
                : Map.of(USER_ID_CLAIM, userId, ORGANIZATION_ID_CLAIM, organizationId);
    }

    /** Reads the viewer from a validated token's authentication. */
    public static Viewer from(Authentication authentication) {
        Map<String, Object> attributes = authentication.getAttributes();
        Role role = authentication.getRoles().stream().map(Role::valueOf).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("token has no role"));
        Object organization = attributes.get(ORGANIZATION_ID_CLAIM);
        return new Viewer(((Number) attributes.get(USER_ID_CLAIM)).longValue(), authentication.getName(), role,
                organization == null ? null : ((Number) organization).longValue());
    }
}
