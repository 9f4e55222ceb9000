package io.meterline.platform.security;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses sign-ins after repeated failures, per account and per client address. Failures live in
 * the database ({@code sign_in_failure}), so every instance behind a load balancer counts the same
 * ones; a failure stops counting after the window and is deleted then. Accounts are keyed by the
 * SHA-256 of the normalized email, so unknown emails are throttled exactly like known ones and
 * the table holds no addresses that were merely typed.
 *
 * <p>Two instances checking at the same moment may each let one more attempt through than the
 * limit; the limit is a brake on guessing, not an exact quota, so no lock is taken.
 */
@Singleton
public class SignInThrottle {

    /** Why and for how long sign-in is refused. */
    public record Block(String message, Duration retryAfter) {
    }

    private final JdbcOperations jdbc;
    private final SignInThrottleConfiguration configuration;
    private final Clock clock;

    public SignInThrottle(JdbcOperations jdbc, SignInThrottleConfiguration configuration, Clock clock) {
        this.jdbc = jdbc;
        this.configuration = configuration;
        this.clock = clock;
    }

    /** Whether a sign-in for this email from this address must be refused before its password is checked. */
    @Transactional
    public Optional<Block> check(String email, String clientAddress) {
        Instant now = clock.instant();
        Optional<Duration> account = retryAfter("account_hash", accountKey(email), configuration.maxAccountFailures(), now);
        if (account.isPresent()) {
            return Optional.of(new Block("Too many failed sign-ins for this account. Try again in " + minutes(account.get()) + ".", account.get()));
        }
        return retryAfter("client_address", clientAddress, configuration.maxAddressFailures(), now)
                .map(wait -> new Block("Too many failed sign-ins from your network address. Try again in " + minutes(wait) + ".", wait));
    }

    /** Counts a failed sign-in, and deletes failures that no longer count. */
    @Transactional
    public void recordFailure(String email, String clientAddress) {
        Instant now = clock.instant();
        jdbc.prepareStatement("DELETE FROM sign_in_failure WHERE failed_at <= ?", statement -> {
            statement.setTimestamp(1, Timestamp.from(now.minus(configuration.window())));
            return statement.executeUpdate();
        });
        jdbc.prepareStatement("INSERT INTO sign_in_failure (account_hash, client_address, failed_at) VALUES (?, ?, ?)", statement -> {
            statement.setString(1, accountKey(email));
            statement.setString(2, clientAddress);
            statement.setTimestamp(3, Timestamp.from(now));
            return statement.executeUpdate();
        });
    }

    /** A successful sign-in forgives the account's failures (not the address's, which an attacker could clear with an account of their own). */
    @Transactional
    public void recordSuccess(String email) {
        jdbc.prepareStatement("DELETE FROM sign_in_failure WHERE account_hash = ?", statement -> {
            statement.setString(1, accountKey(email));
            return statement.executeUpdate();
        });
    }

    /** When the limit is reached: the wait until the oldest of the last {@code limit} failures leaves the window. */
    private Optional<Duration> retryAfter(String column, String key, int limit, Instant now) {
        List<Instant> recent = jdbc.prepareStatement("SELECT failed_at FROM sign_in_failure WHERE " + column + " = ? AND failed_at > ? ORDER BY failed_at DESC LIMIT ?",
                statement -> {
                    statement.setString(1, key);
                    statement.setTimestamp(2, Timestamp.from(now.minus(configuration.window())));
                    statement.setInt(3, limit);
                    List<Instant> times = new ArrayList<>();
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            times.add(rows.getTimestamp(1).toInstant());
                        }
                    }
                    return times;
                });
        if (recent.size() < limit) {
            return Optional.empty();
        }
        Duration wait = Duration.between(now, recent.get(limit - 1).plus(configuration.window()));
        return Optional.of(wait.isNegative() ? Duration.ofSeconds(1) : wait);
    }

    private static String accountKey(String email) {
        return Secrets.sha256(email.trim().toLowerCase(Locale.ROOT));
    }

    private static String minutes(Duration wait) {
        long minutes = Math.max(1, (wait.getSeconds() + 59) / 60);
        return minutes == 1 ? "1 minute" : minutes + " minutes";
    }
}
