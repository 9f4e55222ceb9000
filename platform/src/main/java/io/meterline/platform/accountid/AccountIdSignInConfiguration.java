package io.meterline.platform.accountid;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Account ID sign-in ({@code meterline.account-id.sign-in.*}); every default lives in application.yml.
 *
 * @param maxFailuresPerCode failures for one Account ID from one client address within {@code window} after which that
 *                           address is refused for it
 * @param maxFailuresPerAddress failures from one client address within {@code window}, across codes, after which it is
 *                              refused: codes are short, so this is what stops guessing
 * @param window how long a failure counts; older ones are deleted
 * @param tokenSeconds how long a tool user's access token lasts (no refresh token: the tool signs in again)
 */
@ConfigurationProperties("meterline.account-id.sign-in")
public record AccountIdSignInConfiguration(@Min(1) int maxFailuresPerCode, @Min(1) int maxFailuresPerAddress, @NotNull Duration window,
                                           @Min(1) int tokenSeconds) {
}
