package io.meterline.platform.security;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.errors.IssuingAnAccessTokenErrorCode;
import io.micronaut.security.errors.OauthErrorResponseException;
import io.micronaut.security.token.event.RefreshTokenGeneratedEvent;
import io.micronaut.security.token.refresh.RefreshTokenPersistence;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps refresh tokens (hashed) so {@code POST /oauth/access_token} can issue new access tokens,
 * and so they can be revoked. A refresh re-reads the user, so a changed role takes effect.
 *
 * <p>Refresh tokens rotate (OAuth 2.0 Security Best Current Practice, RFC 9700 section 2.2.2): each
 * sign-in starts a family; an exchange spends the presented token and stores its successor in the
 * same family, in one transaction. A conditional update ({@code WHERE spent = FALSE}) decides
 * between two concurrent exchanges of one token, on one instance or several: exactly one wins. A
 * spent token presented again means two parties hold it (a stolen copy, or the legitimate client
 * after the thief): the whole family is revoked, so neither can go on, and the answer is
 * {@code invalid_grant}.
 */
@Singleton
public class RefreshTokenStore implements RefreshTokenPersistence {

    private static final Logger LOG = LoggerFactory.getLogger(RefreshTokenStore.class);
    private static final int FAMILY_LENGTH = 32;

    /** What an exchange decided: the user and the successor's key, or why the token is refused. */
    private record Exchange(Optional<User> user, long tokenVersion, String successorKey, String refusal) {

        static Exchange refused(String refusal) {
            return new Exchange(Optional.empty(), 0, null, refusal);
        }
    }

    private final JdbcOperations jdbc;
    private final UserRepository users;
    private final Clock clock;
    private final TransactionOperations<Connection> transactions;
    private final TokenVersions tokenVersions;

    public RefreshTokenStore(JdbcOperations jdbc, UserRepository users, Clock clock, TransactionOperations<Connection> transactions,
                             TokenVersions tokenVersions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.users = users;
        this.clock = clock;
        this.tokenVersions = tokenVersions;
    }

    /** A sign-in's first refresh token: a new family. */
    @Override
    @Transactional
    public void persistToken(RefreshTokenGeneratedEvent event) {
        long userId = ((Number) event.getAuthentication().getAttributes().get(Viewer.USER_ID_CLAIM)).longValue();
        insert(event.getRefreshToken(), userId, Secrets.random(FAMILY_LENGTH));
    }

    /**
     * Exchanges a refresh token (the key inside the signed token): spends it and stores its successor,
     * whose key the answered authentication carries. Not transactional itself: a Publisher-returning
     * method would ask for a reactive transaction manager.
     */
    @Override
    public Publisher<Authentication> getAuthentication(String refreshToken) {
        Exchange exchange = transactions.executeWrite(status -> exchange(refreshToken));
        if (exchange.user().isEmpty()) {
            return Publishers.just(new OauthErrorResponseException(IssuingAnAccessTokenErrorCode.INVALID_GRANT, exchange.refusal(), null));
        }
        Authentication authentication = UserAuthenticationProvider.success(exchange.user().get(), exchange.tokenVersion()).getAuthentication().orElseThrow();
        return Publishers.just(new RotatedAuthentication(authentication, exchange.successorKey()));
    }

    private Exchange exchange(String refreshToken) {
        record Stored(long id, long userId, String familyId, boolean revoked) {
        }
        Optional<Stored> stored = jdbc.prepareStatement("SELECT id, user_id, family_id, revoked FROM refresh_token WHERE token_hash = ?", statement -> {
            statement.setString(1, Secrets.sha256(refreshToken));
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(new Stored(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getBoolean(4))) : Optional.<Stored>empty();
            }
        });
        if (stored.isEmpty() || stored.get().revoked()) {
            return Exchange.refused("refresh token revoked or unknown");
        }
        int spent = jdbc.prepareStatement("UPDATE refresh_token SET spent = TRUE WHERE id = ? AND spent = FALSE AND revoked = FALSE", statement -> {
            statement.setLong(1, stored.get().id());
            return statement.executeUpdate();
        });
        if (spent == 0) {
            int revoked = jdbc.prepareStatement("UPDATE refresh_token SET revoked = TRUE WHERE family_id = ?", statement -> {
                statement.setString(1, stored.get().familyId());
                return statement.executeUpdate();
            });
            LOG.warn("A spent refresh token of user {} was presented again: its sign-in's {} refresh tokens are revoked", stored.get().userId(), revoked);
            return Exchange.refused("refresh token already used: this sign-in is revoked, sign in again");
        }
        Optional<User> user = users.findById(stored.get().userId());
        if (user.isEmpty()) {
            return Exchange.refused("refresh token revoked or unknown");
        }
        // The same kind of key as Micronaut's SignedRefreshTokenGenerator creates for a sign-in.
        String successorKey = UUID.randomUUID().toString();
        insert(successorKey, user.get().id(), stored.get().familyId());
        return new Exchange(user, tokenVersions.version(user.get().id()), successorKey, null);
    }

    private void insert(String refreshToken, long userId, String familyId) {
        jdbc.prepareStatement("INSERT INTO refresh_token (token_hash, user_id, family_id, revoked, spent, created_at) VALUES (?, ?, ?, FALSE, FALSE, ?)", statement -> {
            statement.setString(1, Secrets.sha256(refreshToken));
            statement.setLong(2, userId);
            statement.setString(3, familyId);
            statement.setTimestamp(4, Timestamp.from(clock.instant()));
            return statement.executeUpdate();
        });
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
