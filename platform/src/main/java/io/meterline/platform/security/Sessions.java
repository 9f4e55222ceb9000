package io.meterline.platform.security;

import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.generator.AccessRefreshTokenGenerator;
import io.micronaut.security.token.render.AccessRefreshToken;
import jakarta.inject.Singleton;

/**
 * Issues and ends sign-in sessions outside {@code POST /login}: after a password change every
 * refresh token of the user is revoked (other browsers must sign in again) and the session that made
 * the change gets a fresh pair, issued exactly as a sign-in would.
 */
@Singleton
public class Sessions {

    /** A new access and refresh token. */
    public record Tokens(String accessToken, String refreshToken, int expiresIn) {
    }

    private final AccessRefreshTokenGenerator generator;
    private final RefreshTokenStore refreshTokens;
    private final TokenVersions tokenVersions;

    public Sessions(AccessRefreshTokenGenerator generator, RefreshTokenStore refreshTokens, TokenVersions tokenVersions) {
        this.generator = generator;
        this.refreshTokens = refreshTokens;
        this.tokenVersions = tokenVersions;
    }

    /** Signs a user in: a new access token and a stored refresh token. */
    public Tokens issue(User user) {
        Authentication authentication = UserAuthenticationProvider.success(user, tokenVersions.version(user.id())).getAuthentication().orElseThrow();
        AccessRefreshToken tokens = generator.generate(authentication).orElseThrow(() -> new IllegalStateException("no token was generated"));
        return new Tokens(tokens.getAccessToken(), tokens.getRefreshToken(), tokens.getExpiresIn() == null ? 0 : tokens.getExpiresIn());
    }

    /** Revokes every refresh token of a user: no session can renew its access token any more. */
    public void revokeAll(long userId) {
        refreshTokens.revokeAll(userId);
    }

    /** Ends every access token of a user issued so far, on every instance once the caller's transaction commits. */
    public void endAccessTokens(long userId) {
        tokenVersions.bump(userId);
    }
}
