package io.meterline.platform.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;
import java.util.Objects;
import java.util.Optional;

/**
 * Refuses a validly signed access token that no longer speaks for its user: one issued before the
 * user's last role, password or email change (its {@code ver} claim is below the user's
 * {@link TokenVersions token version}), one whose role or organization is not the user's, one of a
 * user who no longer exists, and one whose claims describe no possible {@link Viewer} (such as a
 * platform admin with an organization). Micronaut runs it on every JWT it validates, so the refusal
 * is the same everywhere: {@code /graphql} sees an anonymous caller (UNAUTHENTICATED), REST
 * endpoints answer 401, and {@code /graphql-ws} closes the connection_init with 4403.
 *
 * <p>Cost per request: one Caffeine lookup; a database read (by primary key) only once per user
 * and instance every {@code meterline.tokens.version-cache-ttl}, or after a change was announced.
 * Tool users (Account ID sign-ins) have no user row: their {@link ViewerGate} checks them instead.
 */
@Singleton
public class TokenVersionValidator<T> implements GenericJwtClaimsValidator<T> {

    private final TokenVersions versions;

    public TokenVersionValidator(TokenVersions versions) {
        this.versions = versions;
    }

    @Override
    public boolean validate(Claims claims, @Nullable T request) {
        return check(claims);
    }

    private boolean check(Claims claims) {
        Optional<Viewer> read = Viewer.fromClaims(claims);
        if (read.isEmpty()) {
            return false;
        }
        Viewer viewer = read.get();
        if (viewer.isToolUser()) {
            return true;
        }
        Optional<TokenVersions.Current> current = versions.current(viewer.userId());
        if (current.isEmpty()) {
            return false;
        }
        // Tokens issued before versions existed carry none: they count as version 0.
        long version = claims.get(Viewer.VERSION_CLAIM) instanceof Number number ? number.longValue() : 0;
        return version >= current.get().version() && viewer.role() == current.get().role()
                && Objects.equals(viewer.organizationId(), current.get().organizationId());
    }
}
