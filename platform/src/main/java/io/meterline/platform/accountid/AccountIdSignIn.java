package io.meterline.platform.accountid;

import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.FailureWindow;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.generator.TokenGenerator;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.time.Clock;
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
 * <p>Throttled per (organization, code, client address) and per client address by the house's one sign-in throttle
 * ({@link FailureWindow}, table {@code account_id_sign_in_attempt}). Codes are short, so the per-address limit is what
 * stops guessing across codes.
 */
@Singleton
public class AccountIdSignIn {

    private static final FailureWindow.Table TABLE = new FailureWindow.Table("account_id_sign_in_attempt", "attempt_key", "client_address", "attempted_at");

    private final AccountIdRepository accountIds;
    private final TokenGenerator tokens;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final AccountIdSignInConfiguration configuration;
    private final FailureWindow failures;

    public AccountIdSignIn(AccountIdRepository accountIds, TokenGenerator tokens, TransactionOperations<Connection> transactions, Clock clock,
                           AccountIdSignInConfiguration configuration) {
        this.accountIds = accountIds;
        this.tokens = tokens;
        this.transactions = transactions;
        this.clock = clock;
        this.configuration = configuration;
        this.failures = new FailureWindow(TABLE, configuration.window());
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
                    + configuration.window().toMinutes() + " minutes"));
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
        String token = tokens.generateToken(Authentication.build(viewer.email(), List.of(Role.TOOL_USER.name()), viewer.claims()), configuration.tokenSeconds())
                .orElseThrow(() -> new IllegalStateException("No token generator configured"));
        return new Session(token, now.plusSeconds(configuration.tokenSeconds()), accountId);
    }

    private boolean throttled(String key, String address, Instant now) {
        return transactions.executeRead(status -> failures.retryAfter(status.getConnection(), key, address, configuration.maxFailuresPerCode(), now).isPresent()
                || failures.retryAfter(status.getConnection(), null, address, configuration.maxFailuresPerAddress(), now).isPresent());
    }

    private void recordFailure(String key, String address, Instant now) {
        transactions.executeWrite(status -> {
            failures.recordFailure(status.getConnection(), key, address, now);
            return null;
        });
    }
}
