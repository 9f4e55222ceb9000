package io.meterline.platform.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.Claims;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is asking: the signed-in user, their role and organization. Built once per request from the
 * JWT's claims, so no request reads the user table to learn who it is.
 *
 * <p>A {@link Role#TOOL_USER} is no user: it signed in with an Account ID, whose row id is
 * {@code accountId}; its {@code userId} is 0 and its {@code email} is {@code account-id:<code>}.
 *
 * @param userId the user's row id, 0 for tool users
 * @param email the user's email, {@code account-id:<code>} for tool users
 * @param role the user's role
 * @param organizationId the user's organization, null for platform admins
 * @param accountId the Account ID row a tool user signed in with, null for everyone else
 */
public record Viewer(long userId, String email, Role role, @Nullable Long organizationId, @Nullable Long accountId) {

    static final String USER_ID_CLAIM = "uid";
    static final String ORGANIZATION_ID_CLAIM = "org";
    static final String ACCOUNT_ID_CLAIM = "aid";
    /** The user's token version when the token was issued (see {@link TokenVersions}). */
    static final String VERSION_CLAIM = "ver";
    /** Where Micronaut puts the roles in a token ({@code micronaut.security.token.roles-name}, left at its default). */
    private static final String ROLES_CLAIM = "roles";
    private static final String TOOL_USER_PREFIX = "account-id:";

    public Viewer {
        Objects.requireNonNull(email, "email is null");
        Objects.requireNonNull(role, "role is null");
        if ((role == Role.PLATFORM_ADMIN) != (organizationId == null)) {
            throw new IllegalArgumentException("platform admins, and only they, have no organization");
        }
        if ((role == Role.TOOL_USER) != (accountId != null)) {
            throw new IllegalArgumentException("tool users, and only they, have an Account ID");
        }
    }

    /** A signed-in user (not a tool user). */
    public Viewer(long userId, String email, Role role, @Nullable Long organizationId) {
        this(userId, email, role, organizationId, null);
    }

    /** A tool user signed in with an Account ID. */
    public static Viewer toolUser(long organizationId, long accountId, String code) {
        return new Viewer(0, TOOL_USER_PREFIX + code, Role.TOOL_USER, organizationId, accountId);
    }

    public boolean isToolUser() {
        return role == Role.TOOL_USER;
    }

    /** The Account ID code a tool user signed in with, null for everyone else. */
    @Nullable
    public String accountIdCode() {
        return isToolUser() ? email.substring(TOOL_USER_PREFIX.length()) : null;
    }

    public boolean isPlatformAdmin() {
        return role == Role.PLATFORM_ADMIN;
    }

    /** The claims that carry this viewer inside a token. */
    public Map<String, Object> claims() {
        if (accountId != null) {
            return Map.of(USER_ID_CLAIM, userId, ORGANIZATION_ID_CLAIM, organizationId, ACCOUNT_ID_CLAIM, accountId);
        }
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
        Object account = attributes.get(ACCOUNT_ID_CLAIM);
        return new Viewer(((Number) attributes.get(USER_ID_CLAIM)).longValue(), authentication.getName(), role,
                organization == null ? null : ((Number) organization).longValue(), account == null ? null : ((Number) account).longValue());
    }

    /**
     * Reads the viewer from a signed token's claims, or empty when they describe no possible viewer:
     * a token signed with our key but not issued by us (a leaked secret, a hand-made test token) must
     * be refused as unauthenticated rather than fail later with an error.
     */
    static Optional<Viewer> fromClaims(Claims claims) {
        if (!(claims.get(Claims.SUBJECT) instanceof String name) || !(claims.get(ROLES_CLAIM) instanceof Collection<?> roles) || roles.size() != 1
                || !(roles.iterator().next() instanceof String roleName) || !(claims.get(USER_ID_CLAIM) instanceof Number userId)) {
            return Optional.empty();
        }
        Object organization = claims.get(ORGANIZATION_ID_CLAIM);
        Object account = claims.get(ACCOUNT_ID_CLAIM);
        if ((organization != null && !(organization instanceof Number)) || (account != null && !(account instanceof Number))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Viewer(userId.longValue(), name, Role.valueOf(roleName),
                    organization == null ? null : ((Number) organization).longValue(), account == null ? null : ((Number) account).longValue()));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
