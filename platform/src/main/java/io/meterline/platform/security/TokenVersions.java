package io.meterline.platform.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.meterline.platform.bus.MessageBus;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.connection.ConnectionDefinition;
import io.micronaut.data.connection.ConnectionOperations;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.support.TransactionSynchronization;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each user's token version ({@code app_user.token_version}), which access tokens carry in their
 * {@code ver} claim. A role, password or email change bumps it, so every access token issued before
 * is refused from then on, without waiting for it to expire.
 *
 * <p>Checking a token must not read the database on every request: each instance caches the
 * versions it read for {@code meterline.tokens.version-cache-ttl}. A bump is announced on the
 * {@link MessageBus} once its transaction committed, and every instance (this one included) drops
 * its cached entry at once; the time to live only bounds how long a lost announcement can matter.
 * An announcement that arrives while another thread is loading the old value still removes it:
 * Caffeine's invalidate waits for a load of the same key to finish.
 */
@Singleton
public class TokenVersions {

    /** Carries the user id whose version changed, as a JSON number. */
    static final String CHANNEL = "token-version";

    private static final Logger LOG = LoggerFactory.getLogger(TokenVersions.class);

    /**
     * What a token of the user must say now: its version, role and organization. The role and
     * organization come with the same row read, so a token is checked against them too.
     */
    public record Current(long version, Role role, @Nullable Long organizationId) {
    }

    /** What the cache holds for a user id: empty when no such user exists (any more). */
    private final Cache<Long, Optional<Current>> versions;
    private final ConnectionOperations<Connection> connections;
    private final TransactionOperations<Connection> transactions;
    private final MessageBus bus;
    private final ApplicationEventPublisher<TokenVersionChanged> changes;
    private final AutoCloseable subscription;

    public TokenVersions(TokenConfiguration configuration, ConnectionOperations<Connection> connections,
                         TransactionOperations<Connection> transactions, MessageBus bus, ApplicationEventPublisher<TokenVersionChanged> changes) {
        this.versions = Caffeine.newBuilder().expireAfterWrite(configuration.versionCacheTtl()).maximumSize(100_000).build();
        this.connections = connections;
        this.transactions = transactions;
        this.bus = bus;
        this.changes = changes;
        this.subscription = bus.subscribe(CHANNEL, this::onBump);
    }

    /** The user as this instance last read it (at most the cache's time to live ago), empty for an unknown user. */
    public Optional<Current> current(long userId) {
        return versions.get(userId, this::read);
    }

    /** The user's version as the database holds it now (in the caller's transaction, if any), for a token about to be issued. */
    public long version(long userId) {
        return read(userId).orElseThrow(() -> new IllegalStateException("user " + userId + " does not exist")).version();
    }

    private Optional<Current> read(long userId) {
        return connections.execute(ConnectionDefinition.DEFAULT, status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("SELECT token_version, role, organization_id FROM app_user WHERE id = ?")) {
                statement.setLong(1, userId);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.<Current>empty();
                    }
                    long version = rows.getLong(1);
                    Role role = Role.valueOf(rows.getString(2));
                    long organizationId = rows.getLong(3);
                    return Optional.of(new Current(version, role, rows.wasNull() ? null : organizationId));
                }
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading the token version of user " + userId + " failed", e);
            }
        });
    }

    /**
     * Ends every access token of a user issued so far. Must run inside the transaction that makes the
     * change; the other instances are told when it commits (told earlier, one of them could cache
     * the old version again before the commit).
     */
    public void bump(long userId) {
        transactions.executeWrite(status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("UPDATE app_user SET token_version = token_version + 1 WHERE id = ?")) {
                statement.setLong(1, userId);
                statement.executeUpdate();
            }
            status.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    announce(userId);
                }
            });
            return null;
        });
    }

    private void announce(long userId) {
        versions.invalidate(userId);
        try {
            bus.publish(CHANNEL, Long.toString(userId));
        }
        catch (RuntimeException e) {
            // The change is committed; the other instances notice it when their entry expires, this one at once.
            LOG.warn("Could not announce the new token version of user {}", userId, e);
            changes.publishEvent(new TokenVersionChanged(userId));
        }
    }

    /** Every instance hears its own announcements too, so this is where each one forgets the old version and says so. */
    private void onBump(String message) {
        try {
            long userId = Long.parseLong(message.trim());
            versions.invalidate(userId);
            changes.publishEvent(new TokenVersionChanged(userId));
        }
        catch (NumberFormatException e) {
            LOG.warn("Ignored a malformed token version announcement: {}", message);
        }
    }

    @PreDestroy
    void close() throws Exception {
        subscription.close();
    }
}
