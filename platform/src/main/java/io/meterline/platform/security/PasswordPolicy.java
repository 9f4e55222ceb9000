package io.meterline.platform.security;

import io.meterline.platform.common.UserError;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one set of rules every password must meet, wherever it is set (user creation, the bootstrap
 * admin, accepting an invitation, changing a password), and the text the security page shows for
 * them ({@code passwordPolicy}), so the page and the server never disagree.
 *
 * <p>Rules: at least {@value #MIN_LENGTH} characters; at most {@value #MAX_BYTES} bytes in UTF-8
 * (bcrypt ignores what follows, so a longer password would be silently truncated); not containing
 * the user's email or its local part (when that has at least 3 characters); and not one of the
 * 10,000 most common passwords, also not with only digits or symbols added before or after it
 * ({@code Password2024!} is {@code password}). The list is the resource
 * {@code security/common-passwords.txt}.
 */
@Singleton
public class PasswordPolicy {

    /** The fewest characters a password may have. */
    public static final int MIN_LENGTH = 12;
    /** The most UTF-8 bytes a password may have: bcrypt reads no more. */
    public static final int MAX_BYTES = 72;
    /** How many earlier passwords (besides the current one) a password change may not return to. */
    public static final int REMEMBERED = 4;
    private static final int MIN_LOCAL_PART = 3;
    private static final String COMMON_PASSWORDS = "security/common-passwords.txt";

    /** One rule, as the page lists it. */
    public record Requirement(String code, String description) {
    }

    private final Set<String> common;

    public PasswordPolicy() {
        this.common = load();
    }

    /** The rules, in the order the page shows them. */
    public List<Requirement> requirements() {
        return List.of(
                new Requirement("MIN_LENGTH", "At least " + MIN_LENGTH + " characters"),
                new Requirement("MAX_LENGTH", "At most " + MAX_BYTES + " bytes (72 letters, fewer with accents or emoji)"),
                new Requirement("NOT_EMAIL", "Does not contain your email address or the part before the @"),
                new Requirement("NOT_COMMON", "Is not a common password, also not with digits or symbols added before or after it"),
                new Requirement("NOT_RECENT", "When changing it: is not your current password or one of your last " + REMEMBERED));
    }

    /**
     * Checks a password for a user with this email; adds an error on {@code field} per broken rule.
     *
     * @param password the new password
     * @param email the email of the user it is for (already normalized), or null when unknown
     * @param field the input field errors are reported on
     * @param errors where errors are added
     */
    public void validate(@Nullable String password, @Nullable String email, String field, List<UserError> errors) {
        if (password == null || password.length() < MIN_LENGTH) {
            errors.add(UserError.of(field, SecurityErrorCode.LENGTH, "Password must be at least " + MIN_LENGTH + " characters"));
            return;
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            errors.add(UserError.of(field, SecurityErrorCode.LENGTH, "Password must be at most " + MAX_BYTES + " bytes"));
            return;
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (email != null && !email.isBlank()) {
            String normalized = email.trim().toLowerCase(Locale.ROOT);
            int at = normalized.indexOf('@');
            String local = at < 0 ? normalized : normalized.substring(0, at);
            if (lower.contains(normalized) || (local.length() >= MIN_LOCAL_PART && lower.contains(local))) {
                errors.add(UserError.of(field, SecurityErrorCode.WEAK_PASSWORD, "Password must not contain your email address or the part before the @"));
                return;
            }
        }
        if (isCommon(lower)) {
            errors.add(UserError.of(field, SecurityErrorCode.WEAK_PASSWORD, "This password is too common; choose one that is harder to guess"));
        }
    }

    private boolean isCommon(String lower) {
        if (common.contains(lower)) {
            return true;
        }
        int start = 0;
        int end = lower.length();
        while (start < end && !Character.isLetter(lower.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetter(lower.charAt(end - 1))) {
            end--;
        }
        return end > start && common.contains(lower.substring(start, end));
    }

    private static Set<String> load() {
        InputStream stream = PasswordPolicy.class.getClassLoader().getResourceAsStream(COMMON_PASSWORDS);
        if (stream == null) {
            throw new IllegalStateException("Missing resource " + COMMON_PASSWORDS);
        }
        Set<String> passwords = new HashSet<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String value = line.trim();
                if (!value.isEmpty() && !value.startsWith("#")) {
                    passwords.add(value.toLowerCase(Locale.ROOT));
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(passwords);
    }
}
