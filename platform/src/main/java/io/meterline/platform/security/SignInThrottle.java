package io.meterline.platform.security;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses sign-ins after repeated failures, per account and per client address, counted by {@link FailureWindow} in
 * {@code sign_in_failure} (so every instance behind a load balancer counts the same ones). Accounts are keyed by the
 * SHA-256 of the normalized email, so unknown emails are throttled exactly like known ones and the table holds no
 * addresses that were merely typed.
 */
@Singleton
public class SignInThrottle {

    /** Why and for how long sign-in is refused. */
    public record Block(String message, Duration retryAfter) {
    }

    private static final FailureWindow.Table TABLE = new FailureWindow.Table("sign_in_failure", "account_hash", "client_address", "failed_at");

    private final JdbcOperations jdbc;
    private final SignInThrottleConfiguration configuration;
    private final FailureWindow failures;
    private final Clock clock;

    public SignInThrottle(JdbcOperations jdbc, SignInThrottleConfiguration configuration, Clock clock) {
        this.jdbc = jdbc;
        this.configuration = configuration;
        this.failures = new FailureWindow(TABLE, configuration.window());
        this.clock = clock;
    }

    /** Whether a sign-in for this email from this address must be refused before its password is checked. */
    @Transactional
    public Optional<Block> check(String email, String clientAddress) {
        Instant now = clock.instant();
        return jdbc.execute(connection -> {
            Optional<Duration> account = failures.retryAfter(connection, accountKey(email), null, configuration.maxAccountFailures(), now);
            if (account.isPresent()) {
                return Optional.of(new Block("Too many failed sign-ins for this account. Try again in " + minutes(account.get()) + ".", account.get()));
            }
            return failures.retryAfter(connection, null, clientAddress, configuration.maxAddressFailures(), now)
                    .map(wait -> new Block("Too many failed sign-ins from your network address. Try again in " + minutes(wait) + ".", wait));
        });
    }

    /** Counts a failed sign-in, and deletes failures that no longer count. */
    @Transactional
    public void recordFailure(String email, String clientAddress) {
        Instant now = clock.instant();
        jdbc.execute(connection -> {
            failures.recordFailure(connection, accountKey(email), clientAddress, now);
            return null;
        });
    }

    /** A successful sign-in forgives the account's failures (not the address's, which an attacker could clear with an account of their own). */
    @Transactional
    public void recordSuccess(String email) {
        jdbc.execute(connection -> {
            failures.forgive(connection, accountKey(email));
            return null;
        });
    }

    private static String accountKey(String email) {
        return Secrets.sha256(email.trim().toLowerCase(Locale.ROOT));
    }

    private static String minutes(Duration wait) {
        long minutes = Math.max(1, (wait.getSeconds() + 59) / 60);
        return minutes == 1 ? "1 minute" : minutes + " minutes";
    }
}
