package io.meterline.platform.accountid;

import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.generator.TokenGenerator;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Signs a tool user in with an Account ID (the organization's slug and the code). The token it
 * issues carries the {@link Role#TOOL_USER} role and the Account ID's row id; what such a token may
 * do is decided centrally by the GraphQL request guard, and every request re-checks that the Account
 * ID is still active. No refresh token: the tool signs in again when the token expires.
 *
 * <p>Throttled per (organization, code, client address) and per client address, counting failed
 * attempts over a sliding window stored in the database, so every instance counts the same
 * attempts. Codes are short, so the per-address limit is what stops guessing across codes. Only
 * failures are stored, and throttled attempts are not, so an attacker adds a bounded number of rows.
 */
@Singleton
public class AccountIdSignIn {

    private final AccountIdRepository accountIds;
    private final TokenGenerator tokens;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final int maxFailuresPerCode;
    private final int maxFailuresPerAddress;
    private final Duration window;
    private final int tokenSeconds;

    public AccountIdSignIn(AccountIdRepository accountIds, TokenGenerator tokens, TransactionOperations<Connection> transactions, Clock clock,
                           @Property(name = "meterline.account-id.sign-in.max-failures-per-code", defaultValue = "5") int maxFailuresPerCode,
                           @Property(name = "meterline.account-id.sign-in.max-failures-per-address", defaultValue = "20") int maxFailuresPerAddress,
                           @Property(name = "meterline.account-id.sign-in.window", defaultValue = "15m") Duration window,
                           @Property(name = "meterline.account-id.sign-in.token-seconds", defaultValue = "28800") int tokenSeconds) {
        this.accountIds = accountIds;
        this.tokens = tokens;
        this.transactions = transactions;
        this.clock = clock;
        this.maxFailuresPerCode = maxFailuresPerCode;
        this.maxFailuresPerAddress = maxFailuresPerAddress;
        this.window = window;
        this.tokenSeconds = tokenSeconds;
    }

    /** A successful sign-in: the bearer token, when it expires, and the Account ID. */
    public record Session(String accessToken, Instant expiresAt, AccountId accountId) {
    }

    public Session signIn(@Nullable String organizationSlug, @Nullable String code, String clientAddress) {
        String slug = organizationSlug == null ? "" : organizationSlug.trim().toLowerCase(Locale.ROOT);
        String normalized = code == null ? "" : code.trim().toUpperCase(Locale.ROOT);
        if (slug.isEmpty() || normalized.isEmpty()) {
            throw new UserInputException(UserError.of(slug.isEmpty() ? "organization" : "code", AccountIdErrorCode.BLANK, "Give the organization and the Account ID"));
        }
        String key = (slug + ":" + normalized);
        key = key.length() > 200 ? key.substring(0, 200) : key;
        String address = clientAddress.length() > 64 ? clientAddress.substring(0, 64) : clientAddress;
        Instant now = clock.instant();
        if (throttled(key, address, now)) {
            throw new UserInputException(UserError.of("code", AccountIdErrorCode.THROTTLED, "Too many failed sign-ins from this address; try again in "
                    + window.toMinutes() + " minutes"));
        }
        Optional<AccountId> found = accountIds.findBySlugAndCode(slug, normalized);
        if (found.isEmpty() || found.get().status() != AccountIdStatus.ACTIVE) {
            recordFailure(key, address, now);
            throw new UserInputException(found.isEmpty()
                    ? UserError.of("code", AccountIdErrorCode.NOT_FOUND, "No such Account ID in this organization")
                    : UserError.of("code", AccountIdErrorCode.INVALID_STATE, "Account ID " + normalized + " is " + found.get().status().name().toLowerCase(Locale.ROOT)
                            + "; ask your administrator"));
        }
        AccountId accountId = found.get();
        Viewer viewer = Viewer.toolUser(accountId.organizationId(), accountId.id(), accountId.code());
        String token = tokens.generateToken(Authentication.build(viewer.email(), List.of(Role.TOOL_USER.name()), viewer.claims()), tokenSeconds)
                .orElseThrow(() -> new IllegalStateException("No token generator configured"));
        return new Session(token, now.plusSeconds(tokenSeconds), accountId);
    }

    private boolean throttled(String key, String address, Instant now) {
        Object since = TimeBuckets.toColumn(now.minus(window));
        return transactions.executeRead(status -> {
            Connection connection = status.getConnection();
            return count(connection, "SELECT COUNT(*) FROM account_id_sign_in_attempt WHERE attempt_key = ? AND client_address = ? AND attempted_at > ?",
                    key, address, since) >= maxFailuresPerCode
                    || count(connection, "SELECT COUNT(*) FROM account_id_sign_in_attempt WHERE client_address = ? AND attempted_at > ?",
                    address, since) >= maxFailuresPerAddress;
        });
    }

    private void recordFailure(String key, String address, Instant now) {
        transactions.executeWrite(status -> {
            Connection connection = status.getConnection();
            // Attempts older than the window no longer count: the table holds one window of failures at most.
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM account_id_sign_in_attempt WHERE attempted_at < ?")) {
                delete.setObject(1, TimeBuckets.toColumn(now.minus(window)));
                delete.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO account_id_sign_in_attempt (attempt_key, client_address, attempted_at)"
                    + " VALUES (?, ?, ?)")) {
                insert.setString(1, key);
                insert.setString(2, address);
                insert.setObject(3, TimeBuckets.toColumn(now));
                insert.executeUpdate();
            }
            return null;
        });
    }

    private static long count(Connection connection, String sql, Object... parameters) throws java.sql.SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
