package io.meterline.platform.security;

import io.meterline.platform.common.ContactFields;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.mail.EmailSender;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Security Settings page: changing the password and the sign-in email.
 *
 * <p>Both need the current password, so a stolen access token alone can take over nothing; wrong
 * current passwords count against the account in {@link SignInThrottle} like failed sign-ins. A
 * password change revokes every refresh token of the user and returns a fresh pair for the session
 * that made it, and may not return to a recent password; every access token issued before either
 * change is refused from then on ({@link TokenVersions}). An email change only records a request and emails a single-use link to the new
 * address (the token's hash is stored); the email changes when the link is used, and the old
 * address is then told. Emails are sent after the transaction committed; when the SMTP server
 * refuses, the request is withdrawn and the mutation fails.
 */
@Singleton
public class CredentialService {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialService.class);
    private static final int TOKEN_LENGTH = 40;

    /** A pending email change, as the page shows it. */
    public record PendingEmail(String email, Instant expiresAt) {
    }

    private final UserRepository users;
    private final EmailChangeRepository emailChanges;
    private final PasswordHasher passwordHasher;
    private final PasswordPolicy passwordPolicy;
    private final SignInThrottle throttle;
    private final Sessions sessions;
    private final EmailSender emails;
    private final AccountLinks links;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;

    public CredentialService(UserRepository users, EmailChangeRepository emailChanges, PasswordHasher passwordHasher, PasswordPolicy passwordPolicy,
                             SignInThrottle throttle, Sessions sessions, EmailSender emails, AccountLinks links, JdbcOperations jdbc,
                             TransactionOperations<Connection> transactions, Clock clock) {
        this.users = users;
        this.emailChanges = emailChanges;
        this.passwordHasher = passwordHasher;
        this.passwordPolicy = passwordPolicy;
        this.throttle = throttle;
        this.sessions = sessions;
        this.emails = emails;
        this.links = links;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Changes the viewer's password; returns new tokens for this session, all others are signed out. */
    public Sessions.Tokens changePassword(Viewer viewer, @Nullable String currentPassword, @Nullable String newPassword) {
        User user = signedInUser(viewer);
        List<UserError> errors = new ArrayList<>();
        checkCurrentPassword(user, currentPassword, errors);
        passwordPolicy.validate(newPassword, user.email(), "newPassword", errors);
        if (errors.isEmpty() && isRecent(user, newPassword)) {
            errors.add(UserError.of("newPassword", SecurityErrorCode.PASSWORD_REUSED,
                    "The new password must differ from the current one and your last " + PasswordPolicy.REMEMBERED));
        }
        UserInputException.throwIfAny(errors);
        String hash = passwordHasher.hash(newPassword);
        User updated = transactions.executeWrite(status -> {
            jdbc.prepareStatement("INSERT INTO password_history (user_id, password_hash, replaced_at) VALUES (?, ?, ?)", statement -> {
                statement.setLong(1, user.id());
                statement.setString(2, user.passwordHash());
                statement.setTimestamp(3, Timestamp.from(clock.instant()));
                return statement.executeUpdate();
            });
            jdbc.prepareStatement("UPDATE app_user SET password_hash = ? WHERE id = ?", statement -> {
                statement.setString(1, hash);
                statement.setLong(2, user.id());
                return statement.executeUpdate();
            });
            sessions.revokeAll(user.id());
            sessions.endAccessTokens(user.id());
            return users.findById(user.id()).orElseThrow();
        });
        notify(user.email(), "Your Meterline password was changed",
                "The password of your Meterline account " + user.email() + " was changed, and every other session was signed out.\n\n"
                        + "If you did not do this, reset your password and contact your organization's admin.");
        return sessions.issue(updated);
    }

    /** Whether a password is the user's current one or one of the last {@link PasswordPolicy#REMEMBERED}. */
    private boolean isRecent(User user, String password) {
        if (passwordHasher.matches(password, user.passwordHash())) {
            return true;
        }
        List<String> earlier = transactions.executeRead(status -> jdbc.prepareStatement(
                "SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?", statement -> {
                    statement.setLong(1, user.id());
                    statement.setInt(2, PasswordPolicy.REMEMBERED);
                    List<String> hashes = new ArrayList<>();
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            hashes.add(rows.getString(1));
                        }
                    }
                    return hashes;
                }));
        return earlier.stream().anyMatch(hash -> passwordHasher.matches(password, hash));
    }

    /** Records a change of the viewer's email and sends the confirmation link to the new address. */
    public PendingEmail requestEmailChange(Viewer viewer, @Nullable String newEmail, @Nullable String currentPassword) {
        User user = signedInUser(viewer);
        List<UserError> errors = new ArrayList<>();
        String email = ContactFields.email(newEmail, "newEmail", true, errors);
        if (errors.isEmpty()) {
            if (email.equals(user.email())) {
                errors.add(UserError.of("newEmail", SecurityErrorCode.INVALID, "This is already your email"));
            }
            else if (users.existsByEmail(email)) {
                errors.add(UserError.of("newEmail", SecurityErrorCode.TAKEN, "Another account uses this email"));
            }
        }
        checkCurrentPassword(user, currentPassword, errors);
        UserInputException.throwIfAny(errors);
        String token = Secrets.random(TOKEN_LENGTH);
        Instant now = clock.instant();
        EmailChange request = transactions.executeWrite(status -> {
            emailChanges.supersedeOpen(user.id(), now);
            return emailChanges.save(new EmailChange(null, user.id(), email, Secrets.sha256(token), now, now.plus(links.emailChangeTtl()), null, null));
        });
        try {
            emails.send(email, "Confirm your new Meterline email",
                    "Someone (hopefully you) asked to change the sign-in email of the Meterline account " + user.email() + " to this address.\n\n"
                            + "Confirm the change within " + hours(links.emailChangeTtl()) + " by opening:\n" + links.emailConfirmation(token) + "\n\n"
                            + "If you did not ask for this, ignore this email: nothing changes.");
        }
        catch (RuntimeException e) {
            transactions.executeWrite(status -> emailChanges.supersedeOpen(user.id(), clock.instant()));
            LOG.warn("Could not send the email confirmation to {}", email, e);
            throw new MeterlineException(ErrorCode.INTERNAL, "The confirmation email could not be sent; try again later");
        }
        return new PendingEmail(request.newEmail(), request.expiresAt());
    }

    /** Uses an email confirmation token: the user's email becomes the new one, and the old address is told. Needs no sign-in: the token is the proof. */
    public String confirmEmailChange(@Nullable String token) {
        Instant now = clock.instant();
        record Changed(String oldEmail, String newEmail) {
        }
        Changed changed = transactions.executeWrite(status -> {
            EmailChange request = findRequest(token);
            if (request.confirmedAt() != null || request.supersededAt() != null) {
                throw new UserInputException(UserError.of("token", SecurityErrorCode.ALREADY_USED, "This link was already used or replaced by a newer one"));
            }
            if (!now.isBefore(request.expiresAt())) {
                throw new UserInputException(UserError.of("token", SecurityErrorCode.EXPIRED, "This link has expired; ask for a new one from the security settings"));
            }
            if (users.existsByEmail(request.newEmail())) {
                throw new UserInputException(UserError.of("token", SecurityErrorCode.TAKEN, "Another account uses this email now"));
            }
            if (emailChanges.markConfirmed(request.id(), now) != 1) {
                throw new UserInputException(UserError.of("token", SecurityErrorCode.ALREADY_USED, "This link was already used or replaced by a newer one"));
            }
            User user = users.findById(request.userId()).orElseThrow();
            jdbc.prepareStatement("UPDATE app_user SET email = ? WHERE id = ?", statement -> {
                statement.setString(1, request.newEmail());
                statement.setLong(2, user.id());
                return statement.executeUpdate();
            });
            // Access tokens name the user by email: those naming the old one must end.
            sessions.endAccessTokens(user.id());
            return new Changed(user.email(), request.newEmail());
        });
        notify(changed.oldEmail(), "Your Meterline email was changed",
                "The sign-in email of your Meterline account was changed from " + changed.oldEmail() + " to " + changed.newEmail() + ".\n\n"
                        + "If you did not do this, contact your organization's admin at once.");
        return changed.newEmail();
    }

    /** The viewer's open email change, if any. */
    public Optional<PendingEmail> pendingEmail(long userId) {
        return transactions.executeRead(status -> emailChanges
                .findFirstByUserIdAndConfirmedAtIsNullAndSupersededAtIsNullAndExpiresAtGreaterThanOrderByIdDesc(userId, clock.instant())
                .map(request -> new PendingEmail(request.newEmail(), request.expiresAt())));
    }

    private EmailChange findRequest(@Nullable String token) {
        if (token == null || token.isBlank()) {
            throw new UserInputException(UserError.of("token", SecurityErrorCode.BLANK, "The link has no token"));
        }
        return emailChanges.findByTokenHash(Secrets.sha256(token.trim()))
                .orElseThrow(() -> new UserInputException(UserError.of("token", SecurityErrorCode.INVALID, "This link is not valid")));
    }

    private User signedInUser(Viewer viewer) {
        return users.findById(viewer.userId()).orElseThrow(() -> new MeterlineException(ErrorCode.UNAUTHENTICATED, "The signed-in user no longer exists"));
    }

    /** Checks the current password, counting wrong ones against the account like failed sign-ins. */
    private void checkCurrentPassword(User user, @Nullable String currentPassword, List<UserError> errors) {
        String key = "user:" + user.id();
        Optional<SignInThrottle.Block> block = throttle.check(user.email(), key);
        if (block.isPresent()) {
            errors.add(UserError.of("currentPassword", SecurityErrorCode.THROTTLED, block.get().message()));
            return;
        }
        if (currentPassword == null || !passwordHasher.matches(currentPassword, user.passwordHash())) {
            throttle.recordFailure(user.email(), key);
            errors.add(UserError.of("currentPassword", SecurityErrorCode.WRONG_PASSWORD, "The current password is not correct"));
        }
    }

    /** Sends a notice; a failure is logged, not thrown: the change it reports has already happened. */
    private void notify(String to, String subject, String body) {
        try {
            emails.send(to, subject, body);
        }
        catch (RuntimeException e) {
            LOG.warn("Could not send \"{}\" to {}", subject, to, e);
        }
    }

    private static String hours(java.time.Duration duration) {
        long hours = Math.max(1, duration.toHours());
        return hours == 1 ? "1 hour" : hours + " hours";
    }
}
