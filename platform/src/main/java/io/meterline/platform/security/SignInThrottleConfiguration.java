package io.meterline.platform.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * How sign-in failures are throttled ({@code meterline.sign-in.*}; every default lives in application.yml). Per account the limit is low
 * (guessing one person's password); per client address it is higher, because an office behind one
 * NAT address has many people who mistype.
 *
 * @param maxAccountFailures failures of one email within {@code window} after which it is refused
 * @param maxAddressFailures failures from one client address within {@code window} after which it is refused
 * @param window how long a failure counts; older ones are deleted
 */
@ConfigurationProperties("meterline.sign-in")
public record SignInThrottleConfiguration(
        @Min(1) int maxAccountFailures,
        @Min(1) int maxAddressFailures,
        @NotNull Duration window) {
}
