package io.meterline.platform.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * How sign-in failures are throttled ({@code meterline.sign-in.*}). Per account the limit is low
 * (guessing one person's password); per client address it is higher, because an office behind one
 * NAT address has many people who mistype.
 *
 * @param maxAccountFailures failures of one email within {@code window} after which it is refused
 * @param maxAddressFailures failures from one client address within {@code window} after which it is refused
 * @param window how long a failure counts; older ones are deleted
 */
@ConfigurationProperties("meterline.sign-in")
public record SignInThrottleConfiguration(
        @Bindable(defaultValue = "5") int maxAccountFailures,
        @Bindable(defaultValue = "50") int maxAddressFailures,
        @Bindable(defaultValue = "15m") Duration window) {
}
