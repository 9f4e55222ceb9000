package io.meterline.platform.security;

import io.meterline.platform.account.User;
import io.meterline.platform.account.UserRepository;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.errors.IssuingAnAccessTokenErrorCode;
import io.micronaut.security.errors.OauthErrorResponseException;
import io.micronaut.security.token.event.RefreshTokenGeneratedEvent;
import io.micronaut.security.token.refresh.RefreshTokenPersistence;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import org.reactivestreams.Publisher;

/**
 * Keeps refresh tokens (hashed) so {@code POST /oauth/access_token} can issue new access tokens,
 * and so they can be revoked. A refresh re-reads the user, so a changed role takes effect.
 */
@Singleton
public class RefreshTokenStore implements RefreshTokenPersistence {

    private final JdbcOperations jdbc;
    private final UserRepository users;
    private final Clock clock;
    private final TransactionOperations<Connection> transactions;

    public RefreshTokenStore(JdbcOperations jdbc, UserRepository users, Clock clock, TransactionOperations<Connection> transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.users = users;
        this.clock = clock;
    }

    @Override
    @Transactional
    public void persistToken(RefreshTokenGeneratedEvent event) {
        long userId = ((Number) event.getAuthentication().getAttributes().get(Viewer.USER_ID_CLAIM)).longValue();
        jdbc.prepareStatement("INSERT INTO refresh_token (token_hash, user_id, revoked, created_at) VALUES (?, ?, FALSE, ?)", statement -> {
            statement.setString(1, Secrets.sha256(event.getRefreshToken()));
            statement.setLong(2, userId);
            statement.setTimestamp(3, Timestamp.from(clock.instant()));
            return statement.executeUpdate();
        });
    }

    /** Not transactional itself: a Publisher-returning method would ask for a reactive transaction manager. */
    @Override
    public Publisher<Authentication> getAuthentication(String refreshToken) {
        Optional<User> user = transactions.executeRead(status -> findUser(refreshToken));
        if (user.isEmpty()) {
            return Publishers.just(new OauthErrorResponseException(IssuingAnAccessTokenErrorCode.INVALID_GRANT, "refresh token revoked or unknown", null));
        }
        AuthenticationResponse response = UserAuthenticationProvider.success(user.get());
        return Publishers.just(response.getAuthentication().orElseThrow());
    }

    private Optional<User> findUser(String refreshToken) {
        Optional<Long> userId = jdbc.prepareStatement("SELECT user_id FROM refresh_token WHERE token_hash = ? AND revoked = FALSE", statement -> {
            statement.setString(1, Secrets.sha256(refreshToken));
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.<Long>empty();
            }
        });
        return userId.flatMap(users::findById);
    }

    /** Revokes every refresh token of a user. */
    @Transactional
    public void revokeAll(long userId) {
        jdbc.prepareStatement("UPDATE refresh_token SET revoked = TRUE WHERE user_id = ?", (PreparedStatement statement) -> {
            statement.setLong(1, userId);
            return statement.executeUpdate();
        });
    }
}
