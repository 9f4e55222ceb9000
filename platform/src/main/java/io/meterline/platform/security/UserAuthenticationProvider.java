package io.meterline.platform.security;

import io.micronaut.context.BeanProvider;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.util.HttpClientAddressResolver;
import io.micronaut.security.authentication.AuthenticationFailureReason;
import io.micronaut.security.authentication.AuthenticationRequest;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.authentication.provider.HttpRequestExecutorAuthenticationProvider;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks an email and password for {@code POST /login}, on the blocking executor. Repeated failures
 * per account and per client address are refused by {@link SignInThrottle} before the password is
 * even checked.
 */
@Singleton
public class UserAuthenticationProvider<B> implements HttpRequestExecutorAuthenticationProvider<B> {

    private final UserRepository users;
    private final PasswordHasher passwordHasher;
    // Looked up on first use: resolving them while Micronaut decides which authenticator exists recurses.
    private final BeanProvider<SignInThrottle> throttle;
    private final BeanProvider<HttpClientAddressResolver> addressResolver;
    private final BeanProvider<TokenVersions> tokenVersions;

    public UserAuthenticationProvider(UserRepository users, PasswordHasher passwordHasher, BeanProvider<SignInThrottle> throttle,
                                      BeanProvider<HttpClientAddressResolver> addressResolver, BeanProvider<TokenVersions> tokenVersions) {
        this.users = users;
        this.passwordHasher = passwordHasher;
        this.throttle = throttle;
        this.addressResolver = addressResolver;
        this.tokenVersions = tokenVersions;
    }

    @Override
    public @NonNull AuthenticationResponse authenticate(@Nullable HttpRequest<B> request, @NonNull AuthenticationRequest<String, String> authenticationRequest) {
        String email = String.valueOf(authenticationRequest.getIdentity()).trim().toLowerCase(Locale.ROOT);
        String address = clientAddress(request);
        Optional<SignInThrottle.Block> block = throttle.get().check(email, address);
        if (block.isPresent()) {
            return new SignInThrottled(block.get().message(), block.get().retryAfter());
        }
        Optional<User> user = users.findByEmail(email);
        boolean matches = passwordHasher.matches(String.valueOf(authenticationRequest.getSecret()), user.map(User::passwordHash).orElse(null));
        if (user.isEmpty() || !matches) {
            throttle.get().recordFailure(email, address);
            return AuthenticationResponse.failure(AuthenticationFailureReason.CREDENTIALS_DO_NOT_MATCH);
        }
        throttle.get().recordSuccess(email);
        return success(user.get(), tokenVersions.get().version(user.get().id()));
    }

    /** The caller's address as {@code micronaut.server.client-address-header} says (behind a proxy), else the socket's. */
    private String clientAddress(@Nullable HttpRequest<B> request) {
        String address = request == null ? null : addressResolver.get().resolve(request);
        if (address == null || address.isBlank()) {
            return "unknown";
        }
        return address.length() > 64 ? address.substring(0, 64) : address;
    }

    /** The authentication a token is issued for: the user's email, role, ids and current token version. */
    static AuthenticationResponse success(User user, long tokenVersion) {
        Viewer viewer = new Viewer(user.id(), user.email(), user.role(), user.organizationId());
        Map<String, Object> claims = new HashMap<>(viewer.claims());
        claims.put(Viewer.VERSION_CLAIM, tokenVersion);
        return AuthenticationResponse.success(user.email(), List.of(user.role().name()), claims);
    }
}
