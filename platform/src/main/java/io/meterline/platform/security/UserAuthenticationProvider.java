package io.meterline.platform.security;

import io.meterline.platform.account.User;
import io.meterline.platform.account.UserRepository;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.AuthenticationFailureReason;
import io.micronaut.security.authentication.AuthenticationRequest;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.authentication.provider.HttpRequestExecutorAuthenticationProvider;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Checks an email and password for {@code POST /login}, on the blocking executor. */
@Singleton
public class UserAuthenticationProvider<B> implements HttpRequestExecutorAuthenticationProvider<B> {

    private final UserRepository users;
    private final PasswordHasher passwordHasher;

    public UserAuthenticationProvider(UserRepository users, PasswordHasher passwordHasher) {
        this.users = users;
        this.passwordHasher = passwordHasher;
    }

    @Override
    public @NonNull AuthenticationResponse authenticate(@Nullable HttpRequest<B> request, @NonNull AuthenticationRequest<String, String> authenticationRequest) {
        String email = String.valueOf(authenticationRequest.getIdentity()).trim().toLowerCase(Locale.ROOT);
        Optional<User> user = users.findByEmail(email);
        boolean matches = passwordHasher.matches(String.valueOf(authenticationRequest.getSecret()), user.map(User::passwordHash).orElse(null));
        if (user.isEmpty() || !matches) {
            return AuthenticationResponse.failure(AuthenticationFailureReason.CREDENTIALS_DO_NOT_MATCH);
        }
        return success(user.get());
    }

    /** The authentication a token is issued for: the user's email, role and ids. */
    static AuthenticationResponse success(User user) {
        Viewer viewer = new Viewer(user.id(), user.email(), user.role(), user.organizationId());
        return AuthenticationResponse.success(user.email(), List.of(user.role().name()), viewer.claims());
    }
}
